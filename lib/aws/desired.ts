import type { DesiredRule, DesiredSecurityGroup, DesiredState, Protocol, SecurityGroupRole } from './model.ts';

/** A zone of the default VPC and its default subnet. */
export interface ZoneSubnet {
  readonly zone: string;
  readonly subnetId: string;
}

export interface DesiredInput {
  readonly cluster: string;
  readonly vpcId: string;
  /** At least three, in the order servers are placed (the bastion shares the first). */
  readonly zones: readonly ZoneSubnet[];
  readonly imageId: string;
  readonly instanceType: string;
  readonly bastionInstanceType: string;
  readonly operatorCidr: string;
  readonly publicKey: string;
}

export const SERVER_COUNT = 3;
export const HEALTH_CHECK_PORT = 32000;
export const LISTENER_PORTS = [80, 443] as const;
const ANYWHERE = '0.0.0.0/0';

/** Every name the cluster's resources carry; the Name tag and the AWS name where there is one. */
export function resourceNames(cluster: string) {
  return {
    keyPair: cluster,
    securityGroup: (role: SecurityGroupRole) => `${cluster}-${role}`,
    bastion: `${cluster}-bastion`,
    server: (index: number) => `${cluster}-server-${index}`,
    loadBalancer: `${cluster}-nlb`,
    targetGroup: (port: number) => `${cluster}-tg${port}`,
  };
}

/** The desired infrastructure: a pure function of the flags and the facts of the region. */
export function desiredState(input: DesiredInput): DesiredState {
  if (input.zones.length < SERVER_COUNT) {
    throw new Error(`desiredState needs ${SERVER_COUNT} zones, got ${input.zones.length}`);
  }
  const names = resourceNames(input.cluster);
  const zones = input.zones.slice(0, SERVER_COUNT);
  const servers = zones.map((z, i) => ({
    name: names.server(i + 1),
    role: 'server' as const,
    instanceType: input.instanceType,
    imageId: input.imageId,
    zone: z.zone,
    subnetId: z.subnetId,
    securityGroup: 'servers' as const,
  }));
  const first = zones[0] as ZoneSubnet;
  return {
    cluster: input.cluster,
    vpcId: input.vpcId,
    keyPair: { name: names.keyPair, publicKey: input.publicKey },
    securityGroups: securityGroups(input.cluster, input.operatorCidr),
    instances: [
      { name: names.bastion, role: 'bastion', instanceType: input.bastionInstanceType, imageId: input.imageId, zone: first.zone, subnetId: first.subnetId, securityGroup: 'bastion' },
      ...servers,
    ],
    loadBalancer: {
      name: names.loadBalancer,
      subnetIds: zones.map((z) => z.subnetId),
      securityGroup: 'nlb',
      crossZone: true,
      listeners: LISTENER_PORTS.map((port) => ({ port, targetGroup: names.targetGroup(port) })),
    },
    targetGroups: LISTENER_PORTS.map((port) => ({
      name: names.targetGroup(port),
      port,
      healthCheckPort: HEALTH_CHECK_PORT,
      targets: servers.map((s) => s.name),
    })),
  };
}

/** The three groups of DESIGN.md section 3, rule for rule. */
export function securityGroups(cluster: string, operatorCidr: string): DesiredSecurityGroup[] {
  const names = resourceNames(cluster);
  const allOut = rule('egress', 'all', -1, { cidr: ANYWHERE });
  return [
    {
      role: 'bastion',
      name: names.securityGroup('bastion'),
      description: `ploy ${cluster}: bastion, SSH from the operator`,
      rules: [rule('ingress', 'tcp', 22, { cidr: operatorCidr }), allOut],
    },
    {
      role: 'servers',
      name: names.securityGroup('servers'),
      description: `ploy ${cluster}: K3s servers`,
      rules: [
        rule('ingress', 'tcp', 22, { group: 'bastion' }),
        rule('ingress', 'tcp', 6443, { group: 'bastion' }),
        rule('ingress', 'tcp', 80, { group: 'nlb' }),
        rule('ingress', 'tcp', 443, { group: 'nlb' }),
        rule('ingress', 'tcp', HEALTH_CHECK_PORT, { group: 'nlb' }),
        rule('ingress', 'tcp', [2379, 2380], { group: 'servers' }),
        rule('ingress', 'tcp', 6443, { group: 'servers' }),
        rule('ingress', 'tcp', 10250, { group: 'servers' }),
        rule('ingress', 'udp', 8472, { group: 'servers' }),
        allOut,
      ],
    },
    {
      role: 'nlb',
      name: names.securityGroup('nlb'),
      description: `ploy ${cluster}: network load balancer`,
      rules: [
        rule('ingress', 'tcp', 80, { cidr: ANYWHERE }),
        rule('ingress', 'tcp', 443, { cidr: ANYWHERE }),
        rule('egress', 'tcp', 80, { group: 'servers' }),
        rule('egress', 'tcp', 443, { group: 'servers' }),
        rule('egress', 'tcp', HEALTH_CHECK_PORT, { group: 'servers' }),
      ],
    },
  ];
}

function rule(direction: DesiredRule['direction'], protocol: Protocol, ports: number | [number, number], peer: DesiredRule['peer']): DesiredRule {
  const [fromPort, toPort] = typeof ports === 'number' ? [ports, ports] : ports;
  return { direction, protocol, fromPort, toPort, peer };
}
