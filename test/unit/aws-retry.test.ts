import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CreateTagsCommand, DescribeSecurityGroupsCommand, DescribeSecurityGroupRulesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { mockClient } from 'aws-sdk-client-mock';
import { AwsApiError, backoffDelay, withRetry, type RetryPolicy } from '../../lib/aws/call.ts';
import { awsContext, guardReadOnly, isReadOnlyCommand, requireCredentials } from '../../lib/aws/clients.ts';
import { discoverSecurityGroups } from '../../lib/aws/discover-ec2.ts';
import { InputError, PloyError } from '../../lib/errors.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'; // node 20 is this project's floor
const credentials = { accessKeyId: 'testing', secretAccessKey: 'testing' };
const awsError = (name: string, message = name) => Object.assign(new Error(message), { name, $fault: 'client', $metadata: {} });

function fastRetry(sleeps: number[], attempts = 4): RetryPolicy {
  return { attempts, baseDelayMs: 10, maxDelayMs: 40, sleep: async (ms) => void sleeps.push(ms) };
}

function context(sleeps: number[], attempts = 4) {
  const ec2 = new EC2Client({ region: 'eu-west-3', credentials });
  const elb = new ElasticLoadBalancingV2Client({ region: 'eu-west-3', credentials });
  const log: string[] = [];
  return { ec2, elb, log, aws: awsContext({ ec2, elb }, 'eu-west-3', { retry: fastRetry(sleeps, attempts), log: (l) => log.push(l) }) };
}

test('throttling that outlasts the SDK is retried with backoff, then the call succeeds', async () => {
  const sleeps: number[] = [];
  const { ec2, aws, log } = context(sleeps);
  const mock = mockClient(ec2);
  mock
    .on(DescribeSecurityGroupsCommand)
    .rejectsOnce(awsError('RequestLimitExceeded', 'Request limit exceeded.'))
    .rejectsOnce(awsError('Throttling', 'Rate exceeded'))
    .resolves({ SecurityGroups: [{ GroupId: 'sg-1', GroupName: 'c1-nlb', Tags: [{ Key: 'ploy:role', Value: 'nlb' }] }] });
  mock.on(DescribeSecurityGroupRulesCommand).resolves({ SecurityGroupRules: [] });
  const { groups } = await discoverSecurityGroups(aws, 'c1');
  assert.equal(
    groups.map((g) => [g.id, g.role]),
    [['sg-1', 'nlb']],
  );
  assert.is(mock.commandCalls(DescribeSecurityGroupsCommand).length, 3);
  assert.is(sleeps.length, 2);
  assert.ok(sleeps[1]! >= 10 && sleeps[1]! <= 20, `second wait ${sleeps[1]} within [base, 2*base]`);
  assert.match(log[0]!, /listing security groups: RequestLimitExceeded, retry 1/);
  mock.restore();
});

test('endless throttling ends in an AwsApiError saying what was being done, after a bounded number of tries', async () => {
  const sleeps: number[] = [];
  const { ec2, aws } = context(sleeps, 3);
  const mock = mockClient(ec2);
  mock.on(DescribeSecurityGroupsCommand).rejects(awsError('RequestLimitExceeded', 'Request limit exceeded.'));
  const error = await discoverSecurityGroups(aws, 'c1').catch((e: unknown) => e);
  assert.instance(error, AwsApiError);
  assert.is((error as AwsApiError).code, 'RequestLimitExceeded');
  assert.match((error as Error).message, /^listing security groups: RequestLimitExceeded: Request limit exceeded\. \(still throttled after retrying/);
  assert.is(mock.commandCalls(DescribeSecurityGroupsCommand).length, 3);
  mock.restore();
});

test('errors that are not throttling are not retried', async () => {
  const sleeps: number[] = [];
  const { ec2, aws } = context(sleeps);
  const mock = mockClient(ec2);
  mock.on(DescribeSecurityGroupsCommand).rejects(awsError('UnauthorizedOperation', 'You are not authorized to perform this operation.'));
  const error = await discoverSecurityGroups(aws, 'c1').catch((e: unknown) => e);
  assert.match((error as Error).message, /listing security groups: UnauthorizedOperation: You are not authorized/);
  assert.is(mock.commandCalls(DescribeSecurityGroupsCommand).length, 1);
  assert.equal(sleeps, []);
  mock.restore();
});

test('backoff doubles up to its ceiling, and a total bound stops retrying early', async () => {
  const policy: RetryPolicy = { attempts: 10, baseDelayMs: 100, maxDelayMs: 1000 };
  assert.equal(
    [1, 2, 3, 4, 5, 6].map((n) => backoffDelay(n, policy, () => 1)),
    [100, 200, 400, 800, 1000, 1000],
  );
  assert.equal(
    [1, 2, 3].map((n) => backoffDelay(n, policy, () => 0)),
    [50, 100, 200],
  );
  let tries = 0;
  const waits: number[] = [];
  const bounded: RetryPolicy = { ...policy, totalMs: 700, sleep: async (ms) => void waits.push(ms) };
  await withRetry(
    async () => {
      tries++;
      throw new Error('busy');
    },
    () => true,
    bounded,
  ).catch(() => undefined);
  assert.ok(waits.reduce((a, b) => a + b, 0) <= 700);
  assert.is(tries, waits.length + 1);
  assert.ok(tries < 10);
});

test('check mode guard: a mutating command is refused before it is sent, reads pass', async () => {
  const ec2 = new EC2Client({ region: 'eu-west-3', credentials, endpoint: 'http://127.0.0.1:9' });
  const remove = guardReadOnly(ec2);
  const error = await ec2.send(new CreateTagsCommand({ Resources: ['sg-1'], Tags: [] })).catch((e: unknown) => e);
  assert.instance(error, PloyError);
  assert.match((error as Error).message, /check mode must not call CreateTagsCommand/);
  remove();
  assert.ok(isReadOnlyCommand('DescribeInstancesCommand') && isReadOnlyCommand('GetConsoleOutputCommand'));
  assert.not.ok(isReadOnlyCommand('DeleteKeyPairCommand') || isReadOnlyCommand('RunInstancesCommand') || isReadOnlyCommand('Describe'));
  ec2.destroy();
});

test('no credentials is an InputError before any call', async () => {
  const ec2 = new EC2Client({
    region: 'eu-west-3',
    credentials: async () => {
      throw new Error('Could not load credentials from any providers');
    },
  });
  const error = await requireCredentials(ec2).catch((e: unknown) => e);
  assert.instance(error, InputError);
  assert.match((error as Error).message, /no AWS credentials found \(Could not load credentials from any providers\): set AWS_ACCESS_KEY_ID/);
  ec2.destroy();
});

test.run();
