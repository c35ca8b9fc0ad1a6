import type { Discovered } from './discover.ts';
import type { ExistingRule } from './model.ts';

export type TeardownKind = 'listener' | 'load balancer' | 'target group' | 'instance' | 'security group' | 'key pair';

export interface TeardownItem {
  readonly kind: TeardownKind;
  readonly name: string;
  readonly id: string;
  /** For a security group: its rules that name a group, revoked first so groups can go in any order. */
  readonly groupRules?: readonly ExistingRule[];
}

/** The order resources must go in: each only depends on ones listed before it. */
export const TEARDOWN_ORDER: readonly TeardownKind[] = ['listener', 'load balancer', 'target group', 'instance', 'security group', 'key pair'];

/** Everything discovered as the cluster's, in deletion order. Pure. */
export function planTeardown(found: Discovered): TeardownItem[] {
  const items: TeardownItem[] = [
    ...found.loadBalancers.flatMap((lb) => lb.listeners.map((l) => ({ kind: 'listener' as const, name: `${lb.name}:${l.port}`, id: l.arn }))),
    ...found.loadBalancers.map((lb) => ({ kind: 'load balancer' as const, name: lb.name, id: lb.arn })),
    ...found.targetGroups.map((g) => ({ kind: 'target group' as const, name: g.name, id: g.arn })),
    ...found.instances.map((i) => ({ kind: 'instance' as const, name: i.name, id: i.id })),
    ...found.securityGroups.map((g) => ({ kind: 'security group' as const, name: g.name, id: g.id, groupRules: g.rules.filter((r) => 'groupId' in r.peer) })),
    ...found.keyPairs.filter((k) => k.tagged).map((k) => ({ kind: 'key pair' as const, name: k.name, id: k.id })),
  ];
  return items.sort((a, b) => TEARDOWN_ORDER.indexOf(a.kind) - TEARDOWN_ORDER.indexOf(b.kind));
}

export function teardownLines(items: readonly TeardownItem[]): string[] {
  return [...items.map((i) => `- delete ${i.kind} ${i.name} (${i.id})`), `${items.length} to delete`];
}
