import type { DesiredState, ExistingInstance, ExistingState } from './model.ts';
import { groupIdsOf } from './plan-ec2.ts';
import { resourcePlan, type PlannedChange, type ResourcePlan } from './operations.ts';

export function planTargetGroups(desired: DesiredState, existing: ExistingState, problems: string[]): ResourcePlan[] {
  return desired.targetGroups.map((group) => {
    const found = existing.targetGroups.find((g) => g.name === group.name);
    const wanted = group.targets.map((name) => ({ name, id: instanceByName(existing.instances, name)?.id }));
    if (!found) {
      return resourcePlan('target group', group.name, undefined, [
        { text: `create TCP ${group.port}, health check TCP ${group.healthCheckPort}`, operation: { op: 'createTargetGroup', targetGroup: group } },
        { text: `register ${group.targets.join(', ')}`, operation: { op: 'registerTargets', targetGroup: group.name, instances: group.targets } },
      ]);
    }
    if (found.protocol !== 'TCP' || found.port !== group.port) {
      problems.push(`target group ${group.name} (${found.arn}) is ${found.protocol} ${found.port}, not TCP ${group.port}; AWS cannot change that: delete it (teardown) and provision again`);
    }
    const changes: PlannedChange[] = [];
    if (found.healthCheckProtocol !== 'TCP' || found.healthCheckPort !== String(group.healthCheckPort)) {
      changes.push({
        text: `health check ${found.healthCheckProtocol} ${found.healthCheckPort} -> TCP ${group.healthCheckPort}`,
        operation: { op: 'setHealthCheck', targetGroup: group },
      });
    }
    const missing = wanted.filter((t) => t.id === undefined || !found.targetIds.includes(t.id)).map((t) => t.name);
    if (missing.length) changes.push({ text: `register ${missing.join(', ')}`, operation: { op: 'registerTargets', targetGroup: group.name, instances: missing } });
    const wantedIds = new Set(wanted.map((t) => t.id));
    const extra = found.targetIds.filter((id) => !wantedIds.has(id));
    if (extra.length) changes.push({ text: `deregister ${extra.join(', ')}`, operation: { op: 'deregisterTargets', targetGroup: group.name, instanceIds: extra } });
    return resourcePlan('target group', group.name, found.arn, changes);
  });
}

export function planLoadBalancer(desired: DesiredState, existing: ExistingState, problems: string[]): ResourcePlan {
  const lb = desired.loadBalancer;
  const found = existing.loadBalancer;
  if (!found) {
    return resourcePlan('load balancer', lb.name, undefined, [
      { text: `create internet-facing network load balancer in ${lb.subnetIds.length} subnets`, operation: { op: 'createLoadBalancer', loadBalancer: lb } },
      { text: 'turn cross-zone load balancing on', operation: { op: 'setCrossZone' } },
    ]);
  }
  if (found.scheme !== 'internet-facing') {
    problems.push(`load balancer ${lb.name} (${found.arn}) is ${found.scheme}, not internet-facing; AWS cannot change that: delete it (teardown) and provision again`);
  }
  const changes: PlannedChange[] = [];
  const groupId = groupIdsOf(existing)[lb.securityGroup];
  if (found.securityGroupIds.length === 0) {
    problems.push(`load balancer ${lb.name} (${found.arn}) was created without security groups and AWS cannot add them later: delete it (teardown) and provision again`);
  } else if (found.securityGroupIds.length !== 1 || found.securityGroupIds[0] !== groupId) {
    changes.push({ text: `security groups ${found.securityGroupIds.join(',')} -> ${groupId ?? `(new ${lb.securityGroup})`}`, operation: { op: 'setLoadBalancerGroup', group: lb.securityGroup } });
  }
  if (!sameSet(found.subnetIds, lb.subnetIds)) {
    changes.push({ text: `subnets ${[...found.subnetIds].sort().join(',')} -> ${[...lb.subnetIds].sort().join(',')}`, operation: { op: 'setLoadBalancerSubnets', subnetIds: lb.subnetIds } });
  }
  if (found.crossZone !== lb.crossZone) changes.push({ text: 'turn cross-zone load balancing on', operation: { op: 'setCrossZone' } });
  for (const listener of found.listeners) {
    if (!lb.listeners.some((l) => l.port === listener.port)) {
      changes.push({ text: `delete listener on port ${listener.port} (not ploy's)`, operation: { op: 'deleteListener', listenerArn: listener.arn, port: listener.port } });
    }
  }
  return resourcePlan('load balancer', lb.name, found.arn, changes);
}

export function planListeners(desired: DesiredState, existing: ExistingState): ResourcePlan[] {
  const lb = desired.loadBalancer;
  return lb.listeners.map((listener) => {
    const name = `${lb.name}:${listener.port}`;
    const found = existing.loadBalancer?.listeners.find((l) => l.port === listener.port);
    if (!found) {
      return resourcePlan('listener', name, undefined, [{ text: `forward TCP ${listener.port} to ${listener.targetGroup}`, operation: { op: 'createListener', listener } }]);
    }
    const targetArn = existing.targetGroups.find((g) => g.name === listener.targetGroup)?.arn;
    const changes: PlannedChange[] = [];
    if (found.protocol !== 'TCP' || found.targetGroupArns.length !== 1 || found.targetGroupArns[0] !== targetArn) {
      const now = `${found.protocol} to ${found.targetGroupArns.map((arn) => existing.targetGroups.find((g) => g.arn === arn)?.name ?? arn).join(',') || '(nothing)'}`;
      changes.push({ text: `${now} -> TCP to ${listener.targetGroup}`, operation: { op: 'setListenerTarget', listenerArn: found.arn, listener } });
    }
    return resourcePlan('listener', name, found.arn, changes);
  });
}

function instanceByName(instances: readonly ExistingInstance[], name: string): ExistingInstance | undefined {
  return instances.find((i) => i.name === name);
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}
