import {
  DescribeListenersCommand,
  DescribeLoadBalancerAttributesCommand,
  DescribeTagsCommand,
  DescribeTargetHealthCommand,
  paginateDescribeLoadBalancers,
  paginateDescribeTargetGroups,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { AwsContext } from './clients.ts';
import { CLUSTER_TAG, type ExistingListener, type ExistingLoadBalancer, type ExistingTargetGroup } from './model.ts';

/** ELBv2 cannot filter by tag: list everything, then read tags 20 ARNs at a time. */
async function clusterArns(aws: AwsContext, cluster: string, arns: readonly string[]): Promise<Set<string>> {
  const tagged = new Set<string>();
  for (let i = 0; i < arns.length; i += 20) {
    const chunk = arns.slice(i, i + 20);
    const { TagDescriptions = [] } = await aws.call('reading load balancing tags', () => aws.elb.send(new DescribeTagsCommand({ ResourceArns: chunk })));
    for (const d of TagDescriptions) {
      if (d.ResourceArn && d.Tags?.some((t) => t.Key === CLUSTER_TAG && t.Value === cluster)) tagged.add(d.ResourceArn);
    }
  }
  return tagged;
}

function conflict(kind: string, name: string, arn: string, cluster: string): string {
  return `${kind} ${name} (${arn}) exists but is not tagged ${CLUSTER_TAG}=${cluster}; ploy never adopts what it did not create: delete it or choose another --cluster`;
}

/** How to list one kind of ELBv2 resource and read its ARN and name. */
interface ElbResourceKind<T> {
  /** In messages: "load balancer", "target group". */
  readonly kind: string;
  readonly pages: () => AsyncIterable<readonly T[]>;
  readonly arn: (resource: T) => string | undefined;
  readonly name: (resource: T) => string | undefined;
}

/** Every resource of a kind, split into the cluster's (tagged) and conflicts: foreign ones with a name in `names`. */
async function findOwned<T>(aws: AwsContext, cluster: string, names: readonly string[], resources: ElbResourceKind<T>): Promise<{ owned: T[]; conflicts: string[] }> {
  const all = await aws.call(`listing ${resources.kind}s`, async () => {
    const found: T[] = [];
    for await (const page of resources.pages()) found.push(...page);
    return found;
  });
  const arnOf = (resource: T) => resources.arn(resource) ?? '';
  const tagged = await clusterArns(aws, cluster, all.map(arnOf).filter(Boolean));
  const conflicts = all.filter((r) => names.includes(resources.name(r) ?? '') && !tagged.has(arnOf(r))).map((r) => conflict(resources.kind, resources.name(r) ?? '', arnOf(r), cluster));
  return { owned: all.filter((r) => tagged.has(arnOf(r))), conflicts };
}

/** The cluster's load balancers with listeners and cross-zone setting; same-named foreign ones are conflicts. */
export async function discoverLoadBalancers(aws: AwsContext, cluster: string, names: readonly string[] = []): Promise<{ loadBalancers: ExistingLoadBalancer[]; conflicts: string[] }> {
  const { owned, conflicts } = await findOwned(aws, cluster, names, {
    kind: 'load balancer',
    pages: async function* () {
      for await (const page of paginateDescribeLoadBalancers({ client: aws.elb }, {})) yield page.LoadBalancers ?? [];
    },
    arn: (lb) => lb.LoadBalancerArn,
    name: (lb) => lb.LoadBalancerName,
  });
  const loadBalancers: ExistingLoadBalancer[] = [];
  for (const lb of owned) {
    const arn = lb.LoadBalancerArn as string;
    const [{ Listeners = [] }, { Attributes = [] }] = await Promise.all([
      aws.call(`listing listeners of ${lb.LoadBalancerName}`, () => aws.elb.send(new DescribeListenersCommand({ LoadBalancerArn: arn }))),
      aws.call(`reading attributes of ${lb.LoadBalancerName}`, () => aws.elb.send(new DescribeLoadBalancerAttributesCommand({ LoadBalancerArn: arn }))),
    ]);
    loadBalancers.push({
      arn,
      name: lb.LoadBalancerName ?? arn,
      dnsName: lb.DNSName ?? '',
      state: lb.State?.Code ?? 'unknown',
      scheme: lb.Scheme ?? '',
      subnetIds: (lb.AvailabilityZones ?? []).map((z) => z.SubnetId ?? '').filter(Boolean),
      securityGroupIds: lb.SecurityGroups ?? [],
      crossZone: Attributes.some((a) => a.Key === 'load_balancing.cross_zone.enabled' && a.Value === 'true'),
      listeners: Listeners.filter((l) => l.ListenerArn).map((l): ExistingListener => ({
        arn: l.ListenerArn as string,
        port: l.Port ?? 0,
        protocol: l.Protocol ?? '',
        targetGroupArns: (l.DefaultActions ?? []).flatMap((a) =>
          a.Type === 'forward' ? (a.ForwardConfig?.TargetGroups?.map((t) => t.TargetGroupArn ?? '') ?? [a.TargetGroupArn ?? '']).filter(Boolean) : [],
        ),
      })),
    });
  }
  return { loadBalancers, conflicts };
}

/** The cluster's target groups with their registered instance ids. */
export async function discoverTargetGroups(aws: AwsContext, cluster: string, names: readonly string[] = []): Promise<{ targetGroups: ExistingTargetGroup[]; conflicts: string[] }> {
  const { owned, conflicts } = await findOwned(aws, cluster, names, {
    kind: 'target group',
    pages: async function* () {
      for await (const page of paginateDescribeTargetGroups({ client: aws.elb }, {})) yield page.TargetGroups ?? [];
    },
    arn: (g) => g.TargetGroupArn,
    name: (g) => g.TargetGroupName,
  });
  const targetGroups: ExistingTargetGroup[] = [];
  for (const g of owned) {
    const arn = g.TargetGroupArn as string;
    const { TargetHealthDescriptions = [] } = await aws.call(`listing targets of ${g.TargetGroupName}`, () => aws.elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: arn })));
    targetGroups.push({
      arn,
      name: g.TargetGroupName ?? arn,
      port: g.Port ?? 0,
      protocol: g.Protocol ?? '',
      healthCheckProtocol: g.HealthCheckProtocol ?? '',
      healthCheckPort: g.HealthCheckPort ?? '',
      targetIds: TargetHealthDescriptions.map((d) => d.Target?.Id ?? '').filter(Boolean),
      loadBalancerArns: g.LoadBalancerArns ?? [],
    });
  }
  return { targetGroups, conflicts };
}
