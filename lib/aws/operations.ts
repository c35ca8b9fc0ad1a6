import type { DesiredInstance, DesiredKeyPair, DesiredListener, DesiredLoadBalancer, DesiredSecurityGroup, DesiredTargetGroup, SecurityGroupRole } from './model.ts';

/** One API-level step; apply() performs it, check mode only shows its text. */
export type Operation =
  | { op: 'createKeyPair'; keyPair: DesiredKeyPair }
  | { op: 'tagKeyPair'; keyPairId: string }
  | { op: 'createSecurityGroup'; group: DesiredSecurityGroup }
  /** Apply re-reads the group's rules and authorizes/revokes the difference (AWS may add defaults). */
  | { op: 'syncRules'; group: DesiredSecurityGroup }
  | { op: 'createInstance'; instance: DesiredInstance }
  | { op: 'startInstance'; instanceId: string }
  | { op: 'setInstanceGroup'; instanceId: string; group: SecurityGroupRole }
  | { op: 'createTargetGroup'; targetGroup: DesiredTargetGroup }
  | { op: 'setHealthCheck'; targetGroup: DesiredTargetGroup }
  | { op: 'createLoadBalancer'; loadBalancer: DesiredLoadBalancer }
  | { op: 'setLoadBalancerGroup'; group: SecurityGroupRole }
  | { op: 'setLoadBalancerSubnets'; subnetIds: readonly string[] }
  | { op: 'setCrossZone' }
  | { op: 'registerTargets'; targetGroup: string; instances: readonly string[] }
  | { op: 'deregisterTargets'; targetGroup: string; instanceIds: readonly string[] }
  | { op: 'createListener'; listener: DesiredListener }
  | { op: 'setListenerTarget'; listenerArn: string; listener: DesiredListener }
  | { op: 'deleteListener'; listenerArn: string; port: number };

export interface PlannedChange {
  readonly text: string;
  /** Item lines under the text, e.g. one per rule authorized or revoked. */
  readonly details?: readonly string[];
  readonly operation: Operation;
}

export type PlanVerb = 'create' | 'change' | 'keep';
export type ResourceKind = 'key pair' | 'security group' | 'instance' | 'target group' | 'load balancer' | 'listener';

export interface ResourcePlan {
  readonly kind: ResourceKind;
  readonly name: string;
  readonly verb: PlanVerb;
  /** The AWS id or ARN when the resource exists. */
  readonly id?: string;
  readonly changes: readonly PlannedChange[];
  /** Drift ploy reports but does not correct (it never replaces an instance). */
  readonly notes: readonly string[];
}

export interface PlanSummary {
  readonly create: number;
  readonly change: number;
  readonly unchanged: number;
}

export interface Plan {
  readonly resources: readonly ResourcePlan[];
  /** Reasons the plan cannot be applied; nothing is changed while there is one. */
  readonly problems: readonly string[];
  readonly summary: PlanSummary;
}

export function summarize(resources: readonly ResourcePlan[]): PlanSummary {
  const count = (verb: PlanVerb) => resources.filter((r) => r.verb === verb).length;
  return { create: count('create'), change: count('change'), unchanged: count('keep') };
}

/** A resource's plan from its changes: created, changed, or kept when there is nothing to do. */
export function resourcePlan(kind: ResourceKind, name: string, id: string | undefined, changes: PlannedChange[], notes: string[] = []): ResourcePlan {
  const verb: PlanVerb = id === undefined ? 'create' : changes.length ? 'change' : 'keep';
  return { kind, name, verb, ...(id === undefined ? {} : { id }), changes, notes };
}

/** The order apply() must follow: every op's inputs exist once the earlier phases ran. */
export const PHASE: Record<Operation['op'], number> = {
  createKeyPair: 0,
  tagKeyPair: 0,
  createSecurityGroup: 1,
  syncRules: 2,
  createInstance: 3,
  startInstance: 3,
  setInstanceGroup: 3,
  createTargetGroup: 4,
  setHealthCheck: 4,
  createLoadBalancer: 5,
  setLoadBalancerGroup: 6,
  setLoadBalancerSubnets: 6,
  setCrossZone: 6,
  registerTargets: 7,
  deregisterTargets: 7,
  createListener: 8,
  setListenerTarget: 8,
  deleteListener: 8,
};
