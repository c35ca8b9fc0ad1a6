import type { IpPermission } from '@aws-sdk/client-ec2';
import type { DesiredRule, ExistingPeer, ExistingRule, SecurityGroupRole } from './model.ts';

/** The ids of the cluster's groups known so far; a group still to be created has none yet. */
export type GroupIds = Partial<Record<SecurityGroupRole, string>>;

export interface RuleDiff {
  readonly authorize: readonly DesiredRule[];
  readonly revoke: readonly ExistingRule[];
}

/** The rules of a new group before ploy touches it: AWS adds "all traffic out to 0.0.0.0/0". */
export function defaultRulesOfNewGroup(): ExistingRule[] {
  return [{ id: '(default)', direction: 'egress', protocol: 'all', fromPort: -1, toPort: -1, peer: { cidr: '0.0.0.0/0' } }];
}

/** Missing rules to authorize and extra ones to revoke, so the group holds exactly `desired`. */
export function diffRules(desired: readonly DesiredRule[], existing: readonly ExistingRule[], ids: GroupIds): RuleDiff {
  const wanted = new Map(desired.map((r) => [desiredRuleKey(r, ids), r]));
  const present = new Map<string, ExistingRule>();
  const revoke: ExistingRule[] = [];
  for (const rule of existing) {
    const key = existingRuleKey(rule);
    if (!wanted.has(key) || present.has(key)) revoke.push(rule);
    else present.set(key, rule);
  }
  const authorize = [...wanted].filter(([key]) => !present.has(key)).map(([, rule]) => rule);
  return { authorize, revoke };
}

export function normalizeProtocol(protocol: string): string {
  const p = protocol.toLowerCase();
  if (p === '-1' || p === 'all') return 'all';
  if (p === '6') return 'tcp';
  if (p === '17') return 'udp';
  return p;
}

function ruleKey(direction: string, protocol: string, fromPort: number, toPort: number, peer: string): string {
  const proto = normalizeProtocol(protocol);
  const ports = proto === 'all' ? 'all' : `${fromPort}-${toPort}`;
  return `${direction} ${proto} ${ports} ${peer}`;
}

export function desiredRuleKey(rule: DesiredRule, ids: GroupIds): string {
  const peer = 'cidr' in rule.peer ? `cidr:${rule.peer.cidr}` : `group:${ids[rule.peer.group] ?? `(new ${rule.peer.group})`}`;
  return ruleKey(rule.direction, rule.protocol, rule.fromPort, rule.toPort, peer);
}

export function existingRuleKey(rule: ExistingRule): string {
  return ruleKey(rule.direction, rule.protocol, rule.fromPort, rule.toPort, peerKey(rule.peer));
}

function peerKey(peer: ExistingPeer): string {
  if ('cidr' in peer) return `cidr:${peer.cidr}`;
  if ('cidr6' in peer) return `cidr6:${peer.cidr6}`;
  if ('groupId' in peer) return `group:${peer.groupId}`;
  return `prefix-list:${peer.prefixList}`;
}

/** "in tcp 22 from 203.0.113.7/32", "out tcp 80 to sg k3s-ha-servers"; group ids shown by name when known. */
export function describeRule(rule: DesiredRule | ExistingRule, groupName: (ref: string) => string): string {
  const proto = normalizeProtocol(rule.protocol);
  const ports = proto === 'all' ? 'all ports' : rule.fromPort === rule.toPort ? `${rule.fromPort}` : `${rule.fromPort}-${rule.toPort}`;
  const peer = rule.peer;
  const other =
    'cidr' in peer
      ? peer.cidr
      : 'group' in peer
        ? `sg ${groupName(peer.group)}`
        : 'groupId' in peer
          ? `sg ${groupName(peer.groupId)}`
          : 'cidr6' in peer
            ? peer.cidr6
            : `prefix list ${peer.prefixList}`;
  return rule.direction === 'ingress' ? `in ${proto} ${ports} from ${other}` : `out ${proto} ${ports} to ${other}`;
}

/** The EC2 API form of a desired rule; every group it names must have an id by now. */
export function toIpPermission(rule: DesiredRule, ids: GroupIds): IpPermission {
  const all = rule.protocol === 'all';
  const permission: IpPermission = {
    IpProtocol: all ? '-1' : rule.protocol,
    ...(all ? {} : { FromPort: rule.fromPort, ToPort: rule.toPort }),
  };
  if ('cidr' in rule.peer) return { ...permission, IpRanges: [{ CidrIp: rule.peer.cidr }] };
  const groupId = ids[rule.peer.group];
  if (!groupId) throw new Error(`security group "${rule.peer.group}" has no id yet; create groups before their rules`);
  return { ...permission, UserIdGroupPairs: [{ GroupId: groupId }] };
}
