import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { AuthorizeSecurityGroupEgressCommand, AuthorizeSecurityGroupIngressCommand, DescribeSecurityGroupRulesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { mockClient } from 'aws-sdk-client-mock';
import { apply } from '../../lib/aws/apply.ts';
import { awsContext } from '../../lib/aws/clients.ts';
import { desiredState } from '../../lib/aws/desired.ts';
import type { ExistingState } from '../../lib/aws/model.ts';
import { summarize, type Plan, type ResourcePlan } from '../../lib/aws/operations.ts';
import { PloyError } from '../../lib/errors.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'; // node 20 is this project's floor
const credentials = { accessKeyId: 'testing', secretAccessKey: 'testing' };
const desired = desiredState({
  cluster: 'c1',
  vpcId: 'vpc-1',
  zones: ['a', 'b', 'c'].map((z) => ({ zone: `eu-west-3${z}`, subnetId: `subnet-${z}` })),
  imageId: 'ami-1',
  instanceType: 't3.medium',
  bastionInstanceType: 't3.micro',
  operatorCidr: '203.0.113.7/32',
  publicKey: 'ssh-ed25519 AAAA op',
});
const bastionGroup = desired.securityGroups.find((g) => g.role === 'bastion')!;
const existing: ExistingState = {
  securityGroups: desired.securityGroups.map((g) => ({ id: `sg-${g.role}`, name: g.name, role: g.role, rules: [] })),
  instances: [],
  targetGroups: [],
  conflicts: [],
};
const rulesOnly: ResourcePlan = {
  kind: 'security group',
  name: bastionGroup.name,
  verb: 'change',
  id: 'sg-bastion',
  changes: [{ text: 'rules', operation: { op: 'syncRules', group: bastionGroup } }],
  notes: [],
};

function setup() {
  const ec2 = new EC2Client({ region: 'eu-west-3', credentials });
  const elb = new ElasticLoadBalancingV2Client({ region: 'eu-west-3', credentials });
  const sleeps: number[] = [];
  const aws = awsContext({ ec2, elb }, 'eu-west-3', { retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 1, sleep: async (ms) => void sleeps.push(ms) } });
  return { mock: mockClient(ec2), aws, sleeps };
}

test('a group not visible yet right after its creation: the step is repeated, then succeeds', async () => {
  const { mock, aws, sleeps } = setup();
  const notFound = Object.assign(new Error("The security group 'sg-bastion' does not exist"), { name: 'InvalidGroup.NotFound', $fault: 'client', $metadata: {} });
  mock.on(DescribeSecurityGroupRulesCommand).rejectsOnce(notFound).resolves({ SecurityGroupRules: [] });
  mock.on(AuthorizeSecurityGroupIngressCommand).resolves({ Return: true });
  mock.on(AuthorizeSecurityGroupEgressCommand).resolves({ Return: true });
  const plan: Plan = { resources: [rulesOnly], problems: [], summary: summarize([rulesOnly]) };
  await apply(aws, desired, existing, plan);
  assert.is(mock.commandCalls(DescribeSecurityGroupRulesCommand).length, 2);
  assert.is(sleeps.length, 1);
  assert.equal(mock.commandCalls(AuthorizeSecurityGroupIngressCommand)[0]?.args[0].input, {
    GroupId: 'sg-bastion',
    IpPermissions: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '203.0.113.7/32' }] }],
  });
  assert.equal(mock.commandCalls(AuthorizeSecurityGroupEgressCommand)[0]?.args[0].input.IpPermissions, [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }]);
});

test('a plan with problems is refused before any call', async () => {
  const { mock, aws } = setup();
  const plan: Plan = { resources: [rulesOnly], problems: ['key pair "c1" already exists with a different public key'], summary: summarize([rulesOnly]) };
  const error = await apply(aws, desired, existing, plan).catch((e: unknown) => e);
  assert.instance(error, PloyError);
  assert.match((error as Error).message, /refusing to apply a plan with problems:\n- key pair "c1"/);
  assert.is(mock.calls().length, 0);
});

test.run();
