import { waitUntilInstanceRunning } from '@aws-sdk/client-ec2';
import { waitUntilLoadBalancerAvailable } from '@aws-sdk/client-elastic-load-balancing-v2';
import { PloyError } from '../errors.ts';
import { AwsApiError, withRetry, type RetryPolicy } from './call.ts';
import * as ec2 from './apply-ec2.ts';
import * as elb from './apply-elb.ts';
import type { AwsContext } from './clients.ts';
import type { DesiredState, ExistingState } from './model.ts';
import { PHASE, type Operation, type Plan } from './operations.ts';
import { groupIdsOf } from './plan-ec2.ts';
import type { GroupIds } from './rules.ts';

/**
 * EC2 is eventually consistent: a group or instance just created may be "not found" for a few
 * seconds by the next call. Such a call failed without effect, so repeating it is safe.
 */
const CONSISTENCY_RETRY: RetryPolicy = { attempts: 6, baseDelayMs: 1000, maxDelayMs: 8000 };

function notYetVisible(error: unknown): boolean {
  return error instanceof AwsApiError && (/\.NotFound$/.test(error.code) || error.code === 'InvalidTarget');
}

/** The ids known so far: from discovery, then from each resource as it is created. */
export interface ApplyState {
  readonly cluster: string;
  readonly desired: DesiredState;
  readonly groupIds: GroupIds;
  readonly instanceIds: Map<string, string>;
  readonly targetGroupArns: Map<string, string>;
  loadBalancerArn?: string;
}

export function initialState(desired: DesiredState, existing: ExistingState): ApplyState {
  return {
    cluster: desired.cluster,
    desired,
    groupIds: groupIdsOf(existing),
    instanceIds: new Map(existing.instances.map((i) => [i.name, i.id])),
    targetGroupArns: new Map(existing.targetGroups.map((g) => [g.name, g.arn])),
    ...(existing.loadBalancer ? { loadBalancerArn: existing.loadBalancer.arn } : {}),
  };
}

/**
 * Carry out a plan in dependency order, then wait (bounded) for the instances to run and the load
 * balancer to be active. A plan with problems is refused before any call.
 */
export async function apply(aws: AwsContext, desired: DesiredState, existing: ExistingState, plan: Plan): Promise<void> {
  if (plan.problems.length) throw new PloyError(`refusing to apply a plan with problems:\n- ${plan.problems.join('\n- ')}`);
  const state = initialState(desired, existing);
  const steps = plan.resources.flatMap((r) => r.changes.map((c) => ({ resource: `${r.kind} ${r.name}`, text: c.text, operation: c.operation })));
  steps.sort((a, b) => PHASE[a.operation.op] - PHASE[b.operation.op]);
  let waitedForInstances = false;
  for (const step of steps) {
    if (!waitedForInstances && PHASE[step.operation.op] > PHASE.createInstance) {
      await waitForInstances(aws, state);
      waitedForInstances = true;
    }
    aws.log(`${step.resource}: ${step.text}`);
    await withRetry(
      () => perform(aws, state, step.operation),
      notYetVisible,
      { ...CONSISTENCY_RETRY, ...(aws.retry.sleep ? { sleep: aws.retry.sleep } : {}) },
      (error) => aws.log(`  ${(error as AwsApiError).code}: not visible yet, retrying`),
    );
  }
  if (!waitedForInstances) await waitForInstances(aws, state);
  await waitForLoadBalancer(aws, state);
}

async function perform(aws: AwsContext, state: ApplyState, operation: Operation): Promise<void> {
  switch (operation.op) {
    case 'createKeyPair':
      return ec2.importKeyPair(aws, state, operation.keyPair);
    case 'tagKeyPair':
      return ec2.tagKeyPair(aws, state, operation.keyPairId);
    case 'createSecurityGroup':
      return ec2.createSecurityGroup(aws, state, operation.group);
    case 'syncRules':
      return ec2.syncRules(aws, state, operation.group);
    case 'createInstance':
      return ec2.runInstance(aws, state, operation.instance);
    case 'startInstance':
      return ec2.startInstance(aws, operation.instanceId);
    case 'setInstanceGroup':
      return ec2.setInstanceGroup(aws, state, operation.instanceId, operation.group);
    case 'createTargetGroup':
      return elb.createTargetGroup(aws, state, operation.targetGroup);
    case 'setHealthCheck':
      return elb.setHealthCheck(aws, state, operation.targetGroup);
    case 'createLoadBalancer':
      return elb.createLoadBalancer(aws, state, operation.loadBalancer);
    case 'setLoadBalancerGroup':
      return elb.setLoadBalancerGroup(aws, state, operation.group);
    case 'setLoadBalancerSubnets':
      return elb.setLoadBalancerSubnets(aws, state, operation.subnetIds);
    case 'setCrossZone':
      return elb.setCrossZone(aws, state);
    case 'registerTargets':
      return elb.registerTargets(aws, state, operation.targetGroup, operation.instances);
    case 'deregisterTargets':
      return elb.deregisterTargets(aws, state, operation.targetGroup, operation.instanceIds);
    case 'createListener':
      return elb.createListener(aws, state, operation.listener);
    case 'setListenerTarget':
      return elb.setListenerTarget(aws, state, operation.listenerArn, operation.listener);
    case 'deleteListener':
      return elb.deleteListener(aws, operation.listenerArn, operation.port);
  }
}

async function waitForInstances(aws: AwsContext, state: ApplyState): Promise<void> {
  const ids = state.desired.instances.map((i) => state.instanceIds.get(i.name)).filter((id): id is string => !!id);
  if (!ids.length) return;
  aws.log(`waiting up to ${aws.waits.instances} s for ${ids.length} instances to run`);
  await bounded(`instances ${ids.join(', ')} to run`, aws.waits.instances, () =>
    waitUntilInstanceRunning({ client: aws.ec2, maxWaitTime: aws.waits.instances, minDelay: 2, maxDelay: 15 }, { InstanceIds: ids }),
  );
}

async function waitForLoadBalancer(aws: AwsContext, state: ApplyState): Promise<void> {
  const arn = state.loadBalancerArn;
  if (!arn) return;
  aws.log(`waiting up to ${aws.waits.loadBalancer} s for the load balancer to be active`);
  await bounded('the load balancer to be active', aws.waits.loadBalancer, () =>
    waitUntilLoadBalancerAvailable({ client: aws.elb, maxWaitTime: aws.waits.loadBalancer, minDelay: 2, maxDelay: 15 }, { LoadBalancerArns: [arn] }),
  );
}

/** Run an SDK waiter; its timeout or failure becomes one sentence saying what was awaited. */
export async function bounded(what: string, seconds: number, wait: () => Promise<{ state: string; reason?: unknown }>): Promise<void> {
  try {
    const result = await wait();
    if (result.state !== 'SUCCESS') throw new Error(`${result.state}${result.reason ? `: ${JSON.stringify(result.reason)}` : ''}`);
  } catch (error) {
    const detail = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new PloyError(`gave up waiting for ${what} (limit ${seconds} s): ${detail}`, { cause: error });
  }
}
