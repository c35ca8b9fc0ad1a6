import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  DeleteKeyPairCommand,
  DeleteSecurityGroupCommand,
  DescribeInstancesCommand,
  DescribeKeyPairsCommand,
  DescribeSecurityGroupRulesCommand,
  DescribeSecurityGroupsCommand,
  EC2Client,
  RevokeSecurityGroupIngressCommand,
  TerminateInstancesCommand,
} from '@aws-sdk/client-ec2';
import { DescribeLoadBalancersCommand, DescribeTargetGroupsCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { mockClient } from 'aws-sdk-client-mock';
import type { RetryPolicy } from '../../lib/aws/call.ts';
import type { Discovered } from '../../lib/aws/discover.ts';
import type { TeardownOptions } from '../../lib/aws/flags.ts';
import { planTeardown, TEARDOWN_ORDER } from '../../lib/aws/teardown-plan.ts';
import { teardown } from '../../lib/aws/teardown.ts';
import { InputError } from '../../lib/errors.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'; // node 20 is this project's floor
const credentials = { accessKeyId: 'testing', secretAccessKey: 'testing' };
const options: TeardownOptions = { cluster: 'c1', region: 'eu-west-3', check: false, json: false, verbosity: 0, yes: true };
const tags = (role: string, name: string) => [
  { Key: 'ploy:cluster', Value: 'c1' },
  { Key: 'ploy:role', Value: role },
  { Key: 'Name', Value: name },
];
const dependencyViolation = () => Object.assign(new Error('resource sg-b has a dependent object'), { name: 'DependencyViolation', $fault: 'client', $metadata: {} });

/** A cluster of two instances and two groups, one referencing the other, as EC2 would describe it. */
function mockCluster() {
  const ec2 = new EC2Client({ region: 'eu-west-3', credentials });
  const elb = new ElasticLoadBalancingV2Client({ region: 'eu-west-3', credentials });
  const ec2Mock = mockClient(ec2);
  const elbMock = mockClient(elb);
  ec2Mock.on(DescribeKeyPairsCommand).resolves({
    KeyPairs: [
      { KeyPairId: 'key-1', KeyName: 'c1', Tags: tags('key-pair', 'c1') },
      { KeyPairId: 'key-2', KeyName: 'someone-elses' },
    ],
  });
  ec2Mock.on(DescribeSecurityGroupsCommand).resolves({
    SecurityGroups: [
      { GroupId: 'sg-b', GroupName: 'c1-bastion', Tags: tags('bastion', 'c1-bastion') },
      { GroupId: 'sg-s', GroupName: 'c1-servers', Tags: tags('servers', 'c1-servers') },
    ],
  });
  ec2Mock.on(DescribeSecurityGroupRulesCommand).resolves({
    SecurityGroupRules: [
      { SecurityGroupRuleId: 'sgr-1', GroupId: 'sg-s', IsEgress: false, IpProtocol: 'tcp', FromPort: 22, ToPort: 22, ReferencedGroupInfo: { GroupId: 'sg-b' } },
      { SecurityGroupRuleId: 'sgr-2', GroupId: 'sg-b', IsEgress: false, IpProtocol: 'tcp', FromPort: 22, ToPort: 22, CidrIpv4: '203.0.113.7/32' },
    ],
  });
  const instance = (id: string, name: string, state: 'running' | 'terminated') => ({ InstanceId: id, State: { Name: state }, Tags: tags('server', name) });
  ec2Mock
    .on(DescribeInstancesCommand)
    .resolvesOnce({ Reservations: [{ Instances: [instance('i-1', 'c1-bastion', 'running'), instance('i-2', 'c1-server-1', 'running')] }] })
    .resolves({ Reservations: [{ Instances: [instance('i-1', 'c1-bastion', 'terminated'), instance('i-2', 'c1-server-1', 'terminated')] }] });
  ec2Mock.on(TerminateInstancesCommand).resolves({});
  ec2Mock.on(RevokeSecurityGroupIngressCommand).resolves({ Return: true });
  ec2Mock.on(DeleteSecurityGroupCommand, { GroupId: 'sg-s' }).resolves({});
  ec2Mock.on(DeleteKeyPairCommand).resolves({});
  elbMock.on(DescribeLoadBalancersCommand).resolves({ LoadBalancers: [] });
  elbMock.on(DescribeTargetGroupsCommand).resolves({ TargetGroups: [] });
  return { ec2, elb, ec2Mock };
}

function deps(clients: { ec2: EC2Client; elb: ElasticLoadBalancingV2Client }, sleeps: number[], totalMs?: number) {
  const lines: string[] = [];
  const dependencyRetry: RetryPolicy = { attempts: 50, baseDelayMs: 100, maxDelayMs: 400, ...(totalMs ? { totalMs } : {}), sleep: async (ms) => void sleeps.push(ms) };
  return {
    lines,
    deps: {
      clients,
      output: { out: (l: string) => lines.push(l), err: (l: string) => lines.push(`err: ${l}`) },
      dependencyRetry,
      waits: { instances: 5, loadBalancer: 5, dependencies: 5 },
    },
  };
}

test('DependencyViolation while instances terminate: retried with backoff until the group can go', async () => {
  const { ec2, elb, ec2Mock } = mockCluster();
  ec2Mock.on(DeleteSecurityGroupCommand, { GroupId: 'sg-b' }).rejectsOnce(dependencyViolation()).rejectsOnce(dependencyViolation()).resolves({});
  const sleeps: number[] = [];
  const { deps: d, lines } = deps({ ec2, elb }, sleeps);
  const items = await teardown(options, d);
  assert.equal(
    items.map((i) => `${i.kind} ${i.id}`),
    ['instance i-1', 'instance i-2', 'security group sg-b', 'security group sg-s', 'key pair key-1'],
  );
  assert.is(ec2Mock.commandCalls(DeleteSecurityGroupCommand, { GroupId: 'sg-b' }).length, 3);
  assert.is(sleeps.length, 2);
  assert.ok(sleeps[1]! >= 100 && sleeps[1]! <= 200);
  const order = ec2Mock
    .calls()
    .map((c) => (c.args[0] as { constructor: { name: string } }).constructor.name)
    .filter((n) => !n.startsWith('Describe'));
  assert.equal(order, [
    'TerminateInstancesCommand',
    'RevokeSecurityGroupIngressCommand',
    'DeleteSecurityGroupCommand',
    'DeleteSecurityGroupCommand',
    'DeleteSecurityGroupCommand',
    'DeleteSecurityGroupCommand',
    'DeleteKeyPairCommand',
  ]);
  assert.equal(ec2Mock.commandCalls(RevokeSecurityGroupIngressCommand)[0]?.args[0].input, { GroupId: 'sg-s', SecurityGroupRuleIds: ['sgr-1'] });
  assert.equal(
    ec2Mock.commandCalls(DeleteKeyPairCommand).map((c) => c.args[0].input),
    [{ KeyName: 'c1' }],
  );
  assert.ok(lines.some((l) => /security group c1-bastion: DependencyViolation, retry 1/.test(l)));
  assert.is(lines.filter((l) => !l.startsWith('err: ')).at(-1), 'deleted 5 resources');
});

test('a dependency that never clears ends in an error naming the group, within the bound', async () => {
  const { ec2, elb, ec2Mock } = mockCluster();
  ec2Mock.on(DeleteSecurityGroupCommand, { GroupId: 'sg-b' }).rejects(dependencyViolation());
  const sleeps: number[] = [];
  const { deps: d } = deps({ ec2, elb }, sleeps, 1000);
  const error = await teardown(options, d).catch((e: unknown) => e);
  assert.match((error as Error).message, /^deleting security group c1-bastion \(sg-b\): DependencyViolation: resource sg-b has a dependent object/);
  assert.ok(sleeps.reduce((a, b) => a + b, 0) <= 1000);
  assert.is(ec2Mock.commandCalls(DeleteKeyPairCommand).length, 0);
});

test('without --yes and without a terminal: an InputError, nothing deleted', async () => {
  const { ec2, elb, ec2Mock } = mockCluster();
  const { deps: d } = deps({ ec2, elb }, []);
  const error = await teardown({ ...options, yes: false }, { ...d, interactive: false }).catch((e: unknown) => e);
  assert.instance(error, InputError);
  assert.match((error as Error).message, /refusing to delete without confirmation: not on a terminal; pass --yes/);
  assert.is(ec2Mock.calls().filter((c) => !(c.args[0] as object).constructor.name.startsWith('Describe')).length, 0);
});

test('on a terminal: deletes only when the cluster name is typed', async () => {
  const { ec2, elb, ec2Mock } = mockCluster();
  ec2Mock.on(DeleteSecurityGroupCommand).resolves({});
  const { deps: d } = deps({ ec2, elb }, []);
  const questions: string[] = [];
  const refused = await teardown({ ...options, yes: false }, { ...d, interactive: true, confirm: async (q) => (questions.push(q), false) }).catch((e: unknown) => e);
  assert.match((refused as Error).message, /not confirmed; nothing was deleted/);
  assert.match(questions[0]!, /Delete these 5 resources of cluster c1 in eu-west-3\? Type the cluster name/);
  assert.is(ec2Mock.commandCalls(TerminateInstancesCommand).length, 0);
  await teardown({ ...options, yes: false }, { ...d, interactive: true, confirm: async (_q, expected) => expected === 'c1' });
  assert.is(ec2Mock.commandCalls(TerminateInstancesCommand).length, 1);
});

test('teardown order: listeners, load balancers, target groups, instances, groups, tagged key pairs only', () => {
  const found: Discovered = {
    keyPairs: [
      { id: 'key-1', name: 'c1', tagged: true },
      { id: 'key-9', name: 'c1-old', tagged: false },
    ],
    securityGroups: [{ id: 'sg-n', name: 'c1-nlb', role: 'nlb', rules: [] }],
    instances: [{ id: 'i-1', name: 'c1-bastion', state: 'running', instanceType: 't3.micro', imageId: 'ami', zone: 'z', securityGroupIds: [] }],
    loadBalancers: [
      {
        arn: 'arn:lb',
        name: 'c1-nlb',
        dnsName: '',
        state: 'active',
        scheme: 'internet-facing',
        subnetIds: [],
        securityGroupIds: [],
        crossZone: true,
        listeners: [{ arn: 'arn:l', port: 80, protocol: 'TCP', targetGroupArns: [] }],
      },
    ],
    targetGroups: [{ arn: 'arn:tg', name: 'c1-tg80', port: 80, protocol: 'TCP', healthCheckProtocol: 'TCP', healthCheckPort: '32000', targetIds: [] }],
    conflicts: [],
  };
  const items = planTeardown(found);
  assert.equal(
    items.map((i) => i.kind),
    [...TEARDOWN_ORDER],
  );
  assert.not.ok(items.some((i) => i.id === 'key-9'));
});

test.run();
