import { DescribeKeyPairsCommand, DescribeSecurityGroupsCommand, paginateDescribeInstances, paginateDescribeSecurityGroupRules, type SecurityGroupRule, type Tag } from '@aws-sdk/client-ec2';
import type { AwsContext } from './clients.ts';
import {
  CLUSTER_TAG,
  ROLE_TAG,
  SECURITY_GROUP_ROLES,
  type ExistingInstance,
  type ExistingKeyPair,
  type ExistingPeer,
  type ExistingRule,
  type ExistingSecurityGroup,
  type SecurityGroupRole,
} from './model.ts';

export const LIVE_INSTANCE_STATES = ['pending', 'running', 'stopping', 'stopped'];

export function tagValue(tags: readonly Tag[] | undefined, key: string): string | undefined {
  return tags?.find((t) => t.Key === key)?.Value;
}

const clusterFilter = (cluster: string) => ({ Name: `tag:${CLUSTER_TAG}`, Values: [cluster] });

/** Key pairs tagged with the cluster, plus the one named `name` whatever its tags (to detect a clash). */
export async function discoverKeyPairs(aws: AwsContext, cluster: string, name?: string): Promise<ExistingKeyPair[]> {
  const { KeyPairs = [] } = await aws.call('listing key pairs', () => aws.ec2.send(new DescribeKeyPairsCommand({ IncludePublicKey: true })));
  return KeyPairs.filter((k) => k.KeyPairId && k.KeyName && (k.KeyName === name || tagValue(k.Tags, CLUSTER_TAG) === cluster)).map((k) => ({
    id: k.KeyPairId as string,
    name: k.KeyName as string,
    ...(k.PublicKey ? { publicKey: k.PublicKey } : {}),
    tagged: tagValue(k.Tags, CLUSTER_TAG) === cluster,
  }));
}

/**
 * The cluster's security groups (by tag) with their rules. With `names`, groups of those names in
 * the VPC that are not the cluster's are reported as conflicts: ploy never adopts them.
 */
export async function discoverSecurityGroups(
  aws: AwsContext,
  cluster: string,
  scope: { vpcId?: string; names?: readonly string[] } = {},
): Promise<{ groups: ExistingSecurityGroup[]; conflicts: string[] }> {
  const vpc = scope.vpcId ? [{ Name: 'vpc-id', Values: [scope.vpcId] }] : [];
  const { SecurityGroups = [] } = await aws.call('listing security groups', () => aws.ec2.send(new DescribeSecurityGroupsCommand({ Filters: [clusterFilter(cluster), ...vpc] })));
  const conflicts: string[] = [];
  const names = scope.names ?? [];
  if (names.length) {
    const { SecurityGroups: named = [] } = await aws.call('checking security group names', () =>
      aws.ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'group-name', Values: [...names] }, ...vpc] })),
    );
    for (const g of named) {
      if (tagValue(g.Tags, CLUSTER_TAG) !== cluster) {
        conflicts.push(`security group ${g.GroupName} (${g.GroupId}) exists in ${g.VpcId} but is not tagged ${CLUSTER_TAG}=${cluster}; ploy never adopts what it did not create: delete or rename it`);
      }
    }
  }
  const ids = SecurityGroups.map((g) => g.GroupId).filter((id): id is string => !!id);
  const rules = ids.length ? await securityGroupRules(aws, ids) : [];
  const groups = SecurityGroups.filter((g) => g.GroupId).map((g) => {
    const role = tagValue(g.Tags, ROLE_TAG);
    return {
      id: g.GroupId as string,
      name: g.GroupName ?? '',
      ...(SECURITY_GROUP_ROLES.includes(role as SecurityGroupRole) ? { role: role as SecurityGroupRole } : {}),
      rules: rules.filter((r) => r.GroupId === g.GroupId).map(toExistingRule),
    };
  });
  for (const role of SECURITY_GROUP_ROLES) {
    const same = groups.filter((g) => g.role === role);
    if (same.length > 1) conflicts.push(`${same.length} security groups are tagged ${ROLE_TAG}=${role} in cluster ${cluster} (${same.map((g) => g.id).join(', ')}); delete the extra ones`);
  }
  return { groups, conflicts };
}

async function securityGroupRules(aws: AwsContext, groupIds: readonly string[]): Promise<SecurityGroupRule[]> {
  return aws.call('listing security group rules', async () => {
    const rules: SecurityGroupRule[] = [];
    const pages = paginateDescribeSecurityGroupRules({ client: aws.ec2 }, { Filters: [{ Name: 'group-id', Values: [...groupIds] }] });
    for await (const page of pages) rules.push(...(page.SecurityGroupRules ?? []));
    return rules;
  });
}

export function toExistingRule(rule: SecurityGroupRule): ExistingRule {
  const peer: ExistingPeer = rule.ReferencedGroupInfo?.GroupId
    ? { groupId: rule.ReferencedGroupInfo.GroupId }
    : rule.CidrIpv4
      ? { cidr: rule.CidrIpv4 }
      : rule.CidrIpv6
        ? { cidr6: rule.CidrIpv6 }
        : { prefixList: rule.PrefixListId ?? '(unknown)' };
  return {
    id: rule.SecurityGroupRuleId ?? '',
    direction: rule.IsEgress ? 'egress' : 'ingress',
    protocol: rule.IpProtocol ?? '-1',
    fromPort: rule.FromPort ?? -1,
    toPort: rule.ToPort ?? -1,
    peer,
  };
}

/** The cluster's instances in the given states (by default every state but terminated/shutting down). */
export async function discoverInstances(aws: AwsContext, cluster: string, states: readonly string[] = LIVE_INSTANCE_STATES): Promise<ExistingInstance[]> {
  return aws.call('listing instances', async () => {
    const found: ExistingInstance[] = [];
    const input = { Filters: [clusterFilter(cluster), { Name: 'instance-state-name', Values: [...states] }] };
    for await (const page of paginateDescribeInstances({ client: aws.ec2 }, input)) {
      for (const i of (page.Reservations ?? []).flatMap((r) => r.Instances ?? [])) {
        if (!i.InstanceId) continue;
        found.push({
          id: i.InstanceId,
          name: tagValue(i.Tags, 'Name') ?? i.InstanceId,
          state: i.State?.Name ?? 'unknown',
          instanceType: i.InstanceType ?? '',
          imageId: i.ImageId ?? '',
          zone: i.Placement?.AvailabilityZone ?? '',
          // The primary interface's groups are the instance's groups (moto fills only these at launch).
          securityGroupIds: (i.NetworkInterfaces?.find((n) => n.Attachment?.DeviceIndex === 0)?.Groups ?? i.SecurityGroups ?? []).map((g) => g.GroupId ?? '').filter(Boolean),
          ...(i.PublicIpAddress ? { publicIp: i.PublicIpAddress } : {}),
          ...(i.PrivateIpAddress ? { privateIp: i.PrivateIpAddress } : {}),
        });
      }
    }
    return found.sort((a, b) => a.name.localeCompare(b.name));
  });
}
