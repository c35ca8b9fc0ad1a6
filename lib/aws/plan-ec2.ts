import { samePublicKey } from './keypair.ts';
import type { DesiredKeyPair, DesiredState, ExistingKeyPair, ExistingState } from './model.ts';
import { resourcePlan, type PlannedChange, type ResourcePlan } from './operations.ts';
import { defaultRulesOfNewGroup, describeRule, diffRules, type GroupIds } from './rules.ts';

export function planKeyPair(desired: DesiredKeyPair, existing: ExistingKeyPair | undefined, problems: string[]): ResourcePlan {
  if (!existing) {
    return resourcePlan('key pair', desired.name, undefined, [{ text: `import ${desired.publicKey.split(/\s+/)[0] ?? 'public'} key`, operation: { op: 'createKeyPair', keyPair: desired } }]);
  }
  const notes: string[] = [];
  if (existing.publicKey === undefined) {
    notes.push('the endpoint returned no key material, so it was not compared with --public-key');
  } else if (!samePublicKey(existing.publicKey, desired.publicKey)) {
    problems.push(
      `key pair "${desired.name}" (${existing.id}) already exists with a different public key than --public-key. ` +
        'ploy never replaces a key pair (hosts launched with it keep the old key): pass the matching --public-key, ' +
        'or delete the key pair (teardown deletes it with the cluster), or use another --cluster',
    );
  }
  const changes: PlannedChange[] = existing.tagged ? [] : [{ text: 'tag with the cluster', operation: { op: 'tagKeyPair', keyPairId: existing.id } }];
  return resourcePlan('key pair', desired.name, existing.id, changes, notes);
}

export function groupIdsOf(existing: ExistingState): GroupIds {
  return Object.fromEntries(existing.securityGroups.filter((g) => g.role).map((g) => [g.role, g.id]));
}

/** A function that names a group by role or id, for rule texts. */
export function groupNamer(desired: DesiredState, existing: ExistingState): (ref: string) => string {
  return (ref) => desired.securityGroups.find((g) => g.role === ref)?.name ?? existing.securityGroups.find((g) => g.id === ref)?.name ?? ref;
}

export function planSecurityGroups(desired: DesiredState, existing: ExistingState): ResourcePlan[] {
  const ids = groupIdsOf(existing);
  const name = groupNamer(desired, existing);
  return desired.securityGroups.map((group) => {
    const found = existing.securityGroups.find((g) => g.role === group.role);
    const diff = diffRules(group.rules, found?.rules ?? defaultRulesOfNewGroup(), ids);
    const changes: PlannedChange[] = found ? [] : [{ text: `create in ${desired.vpcId}`, operation: { op: 'createSecurityGroup', group } }];
    if (diff.authorize.length || diff.revoke.length) {
      changes.push({
        text: `rules: ${diff.authorize.length} to authorize, ${diff.revoke.length} to revoke`,
        details: [...diff.authorize.map((r) => `authorize ${describeRule(r, name)}`), ...diff.revoke.map((r) => `revoke ${describeRule(r, name)}`)],
        operation: { op: 'syncRules', group },
      });
    }
    return resourcePlan('security group', group.name, found?.id, changes);
  });
}

export function planInstances(desired: DesiredState, existing: ExistingState, problems: string[]): ResourcePlan[] {
  const ids = groupIdsOf(existing);
  return desired.instances.map((instance) => {
    const matches = existing.instances.filter((i) => i.name === instance.name);
    if (matches.length > 1) {
      problems.push(
        `${matches.length} instances are tagged Name=${instance.name} in cluster ${desired.cluster} (${matches.map((m) => m.id).join(', ')}); ploy will not guess which to keep: terminate the extra ones`,
      );
    }
    const found = matches[0];
    if (!found) {
      const text = `launch ${instance.instanceType} from ${instance.imageId} in ${instance.zone}`;
      return resourcePlan('instance', instance.name, undefined, [{ text, operation: { op: 'createInstance', instance } }]);
    }
    const changes: PlannedChange[] = [];
    const notes: string[] = [];
    if (found.state === 'stopped') changes.push({ text: 'start (it is stopped)', operation: { op: 'startInstance', instanceId: found.id } });
    if (found.state === 'stopping') problems.push(`instance ${instance.name} (${found.id}) is stopping; run again once it has stopped`);
    const groupId = ids[instance.securityGroup];
    if (found.securityGroupIds.length !== 1 || found.securityGroupIds[0] !== groupId) {
      changes.push({
        text: `security groups ${found.securityGroupIds.join(',') || '(none)'} -> ${groupId ?? `(new ${instance.securityGroup})`}`,
        operation: { op: 'setInstanceGroup', instanceId: found.id, group: instance.securityGroup },
      });
    }
    if (found.instanceType !== instance.instanceType) {
      notes.push(`instance type is ${found.instanceType}, not ${instance.instanceType}: ploy does not replace instances; terminate it and provision again to apply`);
    }
    if (found.imageId !== instance.imageId) notes.push(`runs image ${found.imageId}; a new instance would get ${instance.imageId}`);
    if (found.zone !== instance.zone) notes.push(`is in ${found.zone}, planned ${instance.zone}`);
    return resourcePlan('instance', instance.name, found.id, changes, notes);
  });
}
