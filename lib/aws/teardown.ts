import {
  DeleteKeyPairCommand,
  DeleteSecurityGroupCommand,
  RevokeSecurityGroupEgressCommand,
  RevokeSecurityGroupIngressCommand,
  TerminateInstancesCommand,
  waitUntilInstanceTerminated,
} from '@aws-sdk/client-ec2';
import { DeleteListenerCommand, DeleteLoadBalancerCommand, DeleteTargetGroupCommand, waitUntilLoadBalancersDeleted } from '@aws-sdk/client-elastic-load-balancing-v2';
import { InputError } from '../errors.ts';
import { bounded } from './apply.ts';
import { AwsApiError, errorCode, withRetry, type RetryPolicy } from './call.ts';
import type { AwsContext } from './clients.ts';
import { askOnTerminal } from './confirm.ts';
import { discover } from './discover.ts';
import type { TeardownOptions } from './flags.ts';
import { planTeardown, teardownLines, type TeardownItem } from './teardown-plan.ts';
import { openSession, type AwsDeps } from './session.ts';

export interface TeardownDeps extends AwsDeps {
  /** Backoff for DependencyViolation/ResourceInUse; by default bounded by waits.dependencies. */
  readonly dependencyRetry?: RetryPolicy;
  /** Whether a person can be asked (stdin and stderr are terminals). */
  readonly interactive?: boolean;
  readonly confirm?: (question: string, expected: string) => Promise<boolean>;
}

const GONE = new Set([
  'ListenerNotFound',
  'LoadBalancerNotFound',
  'TargetGroupNotFound',
  'InvalidInstanceID.NotFound',
  'InvalidGroup.NotFound',
  'InvalidKeyPair.NotFound',
  'InvalidPermission.NotFound',
]);
const BUSY = new Set(['DependencyViolation', 'ResourceInUse']);

/** Delete everything tagged with the cluster, in dependency order. Returns what was (or would be) deleted. */
export async function teardown(options: TeardownOptions, deps: TeardownDeps = {}): Promise<TeardownItem[]> {
  const session = await openSession(options, deps);
  const { aws, output } = session;
  try {
    const items = planTeardown(await discover(aws, options.cluster, { instanceStates: ['pending', 'running', 'stopping', 'stopped', 'shutting-down'] }));
    const header = { command: 'teardown', cluster: options.cluster, region: options.region, check: options.check };
    const report = () => {
      if (options.json)
        output.out(JSON.stringify({ ...header, resources: items.map((i) => ({ kind: i.kind, name: i.name, id: i.id, action: 'delete' })), summary: { delete: items.length } }, null, 2));
    };
    if (!options.json) {
      output.out(`Teardown of cluster ${options.cluster} in ${options.region}${options.check ? ', check mode: nothing is deleted' : ''}`);
      teardownLines(items).forEach((line) => output.out(line));
    }
    if (options.check || items.length === 0) {
      report();
      return items;
    }
    if (!options.yes) {
      const interactive = deps.interactive ?? (process.stdin.isTTY === true && process.stderr.isTTY === true);
      if (!interactive) throw new InputError('refusing to delete without confirmation: not on a terminal; pass --yes', { field: '--yes' });
      const confirm = deps.confirm ?? askOnTerminal;
      const agreed = await confirm(`Delete these ${items.length} resources of cluster ${options.cluster} in ${options.region}? Type the cluster name to confirm: `, options.cluster);
      if (!agreed) throw new InputError('not confirmed; nothing was deleted', { field: 'confirmation' });
    }
    const dependencyRetry = deps.dependencyRetry ?? { attempts: 1000, baseDelayMs: 2000, maxDelayMs: 30_000, totalMs: aws.waits.dependencies * 1000 };
    await deleteAll(aws, items, dependencyRetry);
    report();
    if (!options.json) output.out(`deleted ${items.length} resources`);
    return items;
  } finally {
    session.close();
  }
}

async function deleteAll(aws: AwsContext, items: readonly TeardownItem[], dependencyRetry: RetryPolicy): Promise<void> {
  const of = (kind: TeardownItem['kind']) => items.filter((i) => i.kind === kind);
  const step = (item: TeardownItem, send: () => Promise<unknown>) => {
    aws.log(`- ${item.kind} ${item.name}`);
    return ignoreGone(aws.call(`deleting ${item.kind} ${item.name} (${item.id})`, send));
  };
  for (const item of of('listener')) await step(item, () => aws.elb.send(new DeleteListenerCommand({ ListenerArn: item.id })));
  const lbs = of('load balancer');
  for (const item of lbs) await step(item, () => aws.elb.send(new DeleteLoadBalancerCommand({ LoadBalancerArn: item.id })));
  if (lbs.length) {
    await bounded('the load balancer to be deleted', aws.waits.loadBalancer, () =>
      waitUntilLoadBalancersDeleted({ client: aws.elb, maxWaitTime: aws.waits.loadBalancer, minDelay: 2, maxDelay: 15 }, { LoadBalancerArns: lbs.map((i) => i.id) }),
    );
  }
  for (const item of of('target group')) {
    await step(item, () => whileBusy(aws, item, dependencyRetry, () => aws.elb.send(new DeleteTargetGroupCommand({ TargetGroupArn: item.id }))));
  }
  const instances = of('instance');
  if (instances.length) {
    const ids = instances.map((i) => i.id);
    aws.log(`- instances ${instances.map((i) => i.name).join(', ')}`);
    await ignoreGone(aws.call(`terminating instances ${ids.join(', ')}`, () => aws.ec2.send(new TerminateInstancesCommand({ InstanceIds: ids }))));
    await bounded(`instances ${ids.join(', ')} to terminate`, aws.waits.instances, () =>
      waitUntilInstanceTerminated({ client: aws.ec2, maxWaitTime: aws.waits.instances, minDelay: 2, maxDelay: 15 }, { InstanceIds: ids }),
    );
  }
  const groups = of('security group');
  for (const group of groups) await revokeGroupRules(aws, group);
  for (const item of groups) {
    await step(item, () => whileBusy(aws, item, dependencyRetry, () => aws.ec2.send(new DeleteSecurityGroupCommand({ GroupId: item.id }))));
  }
  for (const item of of('key pair')) await step(item, () => aws.ec2.send(new DeleteKeyPairCommand({ KeyName: item.name })));
}

/** Rules naming other groups keep those groups alive: revoke them before deleting any group. */
async function revokeGroupRules(aws: AwsContext, group: TeardownItem): Promise<void> {
  const rules = group.groupRules ?? [];
  const ingress = rules.filter((r) => r.direction === 'ingress').map((r) => r.id);
  const egress = rules.filter((r) => r.direction === 'egress').map((r) => r.id);
  if (ingress.length) {
    await ignoreGone(aws.call(`revoking group references in ${group.name}`, () => aws.ec2.send(new RevokeSecurityGroupIngressCommand({ GroupId: group.id, SecurityGroupRuleIds: ingress }))));
  }
  if (egress.length) {
    await ignoreGone(aws.call(`revoking group references in ${group.name}`, () => aws.ec2.send(new RevokeSecurityGroupEgressCommand({ GroupId: group.id, SecurityGroupRuleIds: egress }))));
  }
}

/** Network interfaces of terminated instances and deleted load balancers linger: retry with backoff. */
function whileBusy<T>(aws: AwsContext, item: TeardownItem, policy: RetryPolicy, send: () => Promise<T>): Promise<T> {
  return withRetry(
    send,
    (error) => BUSY.has(errorCode(error) ?? ''),
    policy,
    (error, attempt, waitMs) => aws.log(`  ${item.kind} ${item.name}: ${errorCode(error)}, retry ${attempt} in ${Math.round(waitMs / 1000)} s`),
  );
}

async function ignoreGone(call: Promise<unknown>): Promise<void> {
  try {
    await call;
  } catch (error) {
    if (error instanceof AwsApiError && GONE.has(error.code)) return;
    throw error;
  }
}
