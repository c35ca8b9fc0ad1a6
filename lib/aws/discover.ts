import type { AwsContext } from './clients.ts';
import { discoverInstances, discoverKeyPairs, discoverSecurityGroups } from './discover-ec2.ts';
import { discoverLoadBalancers, discoverTargetGroups } from './discover-elb.ts';
import type { DesiredState, ExistingInstance, ExistingKeyPair, ExistingLoadBalancer, ExistingSecurityGroup, ExistingState, ExistingTargetGroup } from './model.ts';

/** Everything tagged with the cluster in the region, found by tag before anything is created. */
export interface Discovered {
  readonly keyPairs: readonly ExistingKeyPair[];
  readonly securityGroups: readonly ExistingSecurityGroup[];
  readonly instances: readonly ExistingInstance[];
  readonly loadBalancers: readonly ExistingLoadBalancer[];
  readonly targetGroups: readonly ExistingTargetGroup[];
  readonly conflicts: readonly string[];
}

export interface DiscoverScope {
  /** Only security groups of this VPC (provision); teardown looks at the whole region. */
  readonly vpcId?: string;
  /** Names the cluster will use: same-named resources that are not the cluster's are conflicts. */
  readonly names?: { keyPair: string; securityGroups: readonly string[]; loadBalancers: readonly string[]; targetGroups: readonly string[] };
  /** Instance states to include; by default all but shutting-down and terminated. */
  readonly instanceStates?: readonly string[];
}

export async function discover(aws: AwsContext, cluster: string, scope: DiscoverScope = {}): Promise<Discovered> {
  const [keyPairs, groups, instances, lbs, tgs] = await Promise.all([
    discoverKeyPairs(aws, cluster, scope.names?.keyPair),
    discoverSecurityGroups(aws, cluster, { ...(scope.vpcId ? { vpcId: scope.vpcId } : {}), names: scope.names?.securityGroups ?? [] }),
    discoverInstances(aws, cluster, scope.instanceStates),
    discoverLoadBalancers(aws, cluster, scope.names?.loadBalancers),
    discoverTargetGroups(aws, cluster, scope.names?.targetGroups),
  ]);
  return {
    keyPairs,
    securityGroups: groups.groups,
    instances,
    loadBalancers: lbs.loadBalancers,
    targetGroups: tgs.targetGroups,
    conflicts: [...groups.conflicts, ...lbs.conflicts, ...tgs.conflicts],
  };
}

/** The names discover() should check for clashes, from the desired state. */
export function scopeOf(desired: DesiredState): DiscoverScope {
  return {
    vpcId: desired.vpcId,
    names: {
      keyPair: desired.keyPair.name,
      securityGroups: desired.securityGroups.map((g) => g.name),
      loadBalancers: [desired.loadBalancer.name],
      targetGroups: desired.targetGroups.map((g) => g.name),
    },
  };
}

/** Narrow what was discovered to the resources the desired state names, for plan(). */
export function existingFor(desired: DesiredState, found: Discovered): ExistingState {
  const keyPair = found.keyPairs.find((k) => k.name === desired.keyPair.name);
  const loadBalancer = found.loadBalancers.find((lb) => lb.name === desired.loadBalancer.name);
  return {
    ...(keyPair ? { keyPair } : {}),
    securityGroups: found.securityGroups,
    instances: found.instances,
    ...(loadBalancer ? { loadBalancer } : {}),
    targetGroups: found.targetGroups.filter((g) => desired.targetGroups.some((d) => d.name === g.name)),
    conflicts: found.conflicts,
  };
}
