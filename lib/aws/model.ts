/**
 * The infrastructure as data: what should exist (Desired*), what was found (Existing*). Both are
 * plain values so that planning is a pure function, tested without AWS.
 */

export const CLUSTER_TAG = 'ploy:cluster';
export const ROLE_TAG = 'ploy:role';

export type SecurityGroupRole = 'bastion' | 'servers' | 'nlb';
export const SECURITY_GROUP_ROLES: readonly SecurityGroupRole[] = ['bastion', 'servers', 'nlb'];

export type Protocol = 'tcp' | 'udp' | 'all';
export type Direction = 'ingress' | 'egress';

/** The other end of a rule: an IPv4 block, or one of the cluster's own groups by role. */
export type DesiredPeer = { readonly cidr: string } | { readonly group: SecurityGroupRole };

export interface DesiredRule {
  readonly direction: Direction;
  readonly protocol: Protocol;
  /** -1 for all ports (protocol "all"). */
  readonly fromPort: number;
  readonly toPort: number;
  readonly peer: DesiredPeer;
}

export interface DesiredSecurityGroup {
  readonly role: SecurityGroupRole;
  readonly name: string;
  readonly description: string;
  readonly rules: readonly DesiredRule[];
}

export interface DesiredKeyPair {
  readonly name: string;
  /** The OpenSSH public key line as read from --public-key. */
  readonly publicKey: string;
}

export type InstanceRole = 'bastion' | 'server';

export interface DesiredInstance {
  readonly name: string;
  readonly role: InstanceRole;
  readonly instanceType: string;
  readonly imageId: string;
  readonly zone: string;
  readonly subnetId: string;
  readonly securityGroup: SecurityGroupRole;
}

export interface DesiredTargetGroup {
  readonly name: string;
  readonly port: number;
  readonly healthCheckPort: number;
  /** Instance names registered as targets. */
  readonly targets: readonly string[];
}

export interface DesiredListener {
  readonly port: number;
  readonly targetGroup: string;
}

export interface DesiredLoadBalancer {
  readonly name: string;
  readonly subnetIds: readonly string[];
  readonly securityGroup: SecurityGroupRole;
  readonly crossZone: boolean;
  readonly listeners: readonly DesiredListener[];
}

export interface DesiredState {
  readonly cluster: string;
  readonly vpcId: string;
  readonly keyPair: DesiredKeyPair;
  readonly securityGroups: readonly DesiredSecurityGroup[];
  readonly instances: readonly DesiredInstance[];
  readonly loadBalancer: DesiredLoadBalancer;
  readonly targetGroups: readonly DesiredTargetGroup[];
}

/** A rule's other end as AWS reports it. */
export type ExistingPeer = { readonly cidr: string } | { readonly cidr6: string } | { readonly groupId: string } | { readonly prefixList: string };

export interface ExistingRule {
  readonly id: string;
  readonly direction: Direction;
  readonly protocol: string;
  readonly fromPort: number;
  readonly toPort: number;
  readonly peer: ExistingPeer;
}

export interface ExistingSecurityGroup {
  readonly id: string;
  readonly name: string;
  /** From the ploy:role tag; undefined when it is missing or not one ploy knows. */
  readonly role?: SecurityGroupRole;
  readonly rules: readonly ExistingRule[];
}

export interface ExistingKeyPair {
  readonly id: string;
  readonly name: string;
  /** Absent when the endpoint does not return key material (then it cannot be compared). */
  readonly publicKey?: string;
  readonly tagged: boolean;
}

export interface ExistingInstance {
  readonly id: string;
  readonly name: string;
  readonly state: string;
  readonly instanceType: string;
  readonly imageId: string;
  readonly zone: string;
  readonly securityGroupIds: readonly string[];
  readonly publicIp?: string;
  readonly privateIp?: string;
}

export interface ExistingListener {
  readonly arn: string;
  readonly port: number;
  readonly protocol: string;
  readonly targetGroupArns: readonly string[];
}

export interface ExistingLoadBalancer {
  readonly arn: string;
  readonly name: string;
  readonly dnsName: string;
  readonly state: string;
  readonly scheme: string;
  readonly subnetIds: readonly string[];
  readonly securityGroupIds: readonly string[];
  readonly crossZone: boolean;
  readonly listeners: readonly ExistingListener[];
}

export interface ExistingTargetGroup {
  readonly arn: string;
  readonly name: string;
  readonly port: number;
  readonly protocol: string;
  readonly healthCheckProtocol: string;
  readonly healthCheckPort: string;
  readonly targetIds: readonly string[];
  readonly loadBalancerArns?: readonly string[];
}

export interface ExistingState {
  readonly keyPair?: ExistingKeyPair;
  readonly securityGroups: readonly ExistingSecurityGroup[];
  readonly instances: readonly ExistingInstance[];
  readonly loadBalancer?: ExistingLoadBalancer;
  readonly targetGroups: readonly ExistingTargetGroup[];
  /** Resources that block the plan: same-named but not the cluster's, duplicates, unchangeable drift. */
  readonly conflicts: readonly string[];
}
