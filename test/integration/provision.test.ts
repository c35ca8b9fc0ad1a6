/**
 * provision and teardown against a real moto_server (EC2 + ELBv2 on 127.0.0.1): the whole life of a
 * cluster. moto accepts duplicate creates that AWS would refuse, so every count here is of ALL
 * resources in the region, not only tagged ones: a second create anywhere shows up as one too many.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import {
  AuthorizeSecurityGroupIngressCommand,
  DescribeInstancesCommand,
  DescribeKeyPairsCommand,
  DescribeSecurityGroupRulesCommand,
  DescribeSecurityGroupsCommand,
  RevokeSecurityGroupIngressCommand,
  type Instance,
} from '@aws-sdk/client-ec2';
import {
  DescribeListenersCommand,
  DescribeLoadBalancerAttributesCommand,
  DescribeLoadBalancersCommand,
  DescribeTagsCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ModifyLoadBalancerAttributesCommand,
  ModifyTargetGroupCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isReadOnlyCommand } from '../../lib/aws/clients.ts';
import type { ProvisionOptions, TeardownOptions } from '../../lib/aws/flags.ts';
import { provision } from '../../lib/aws/provision.ts';
import { teardown } from '../../lib/aws/teardown.ts';
import { loadInventory } from '../../lib/inventory/load.ts';
import { NEWEST_DEBIAN_12 } from '../support/moto.ts';
import { useProvisionBed } from '../support/provision-bed.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'; // node 20 is this project's floor
const REGION = 'us-east-1'; // see startMoto
const bed = useProvisionBed(test, REGION, 'ploy-provision-');
const lines: string[] = [];

const options = (): ProvisionOptions => ({
  cluster: 'k3s-ha',
  region: REGION,
  endpoint: bed.moto.endpoint,
  check: false,
  json: false,
  verbosity: 0,
  operatorCidr: '203.0.113.7/32',
  publicKeyPath: join(bed.dir, 'id_ed25519.pub'),
  instanceType: 't3.medium',
  bastionInstanceType: 't3.micro',
  inventoryOut: join(bed.dir, 'inventory', 'hosts.yml'),
  privateKeyPath: '/home/op/.ssh/id_ed25519',
});
const teardownOptions = (): TeardownOptions => ({ cluster: 'k3s-ha', region: REGION, endpoint: bed.moto.endpoint, check: false, json: false, verbosity: 0, yes: true });
const deps = () => ({ clients: { ec2: bed.ec2, elb: bed.elb }, output: { out: (l: string) => lines.push(l), err: () => {} }, waits: { instances: 60, loadBalancer: 60, dependencies: 60 } });

/** Run `fn` and return the commands it sent that change something. */
async function mutations(fn: () => Promise<unknown>): Promise<string[]> {
  bed.sent.length = 0;
  await fn();
  return bed.sent.filter((name) => !isReadOnlyCommand(name));
}

async function liveInstances(): Promise<Instance[]> {
  const { Reservations = [] } = await bed.ec2.send(new DescribeInstancesCommand({}));
  return Reservations.flatMap((r) => r.Instances ?? []).filter((i) => i.State?.Name !== 'terminated');
}

/** Everything in the region, tagged or not (the default VPC's "default" group aside). */
async function counts() {
  const [instances, { SecurityGroups = [] }, { KeyPairs = [] }, { LoadBalancers = [] }, { TargetGroups = [] }] = await Promise.all([
    liveInstances(),
    bed.ec2.send(new DescribeSecurityGroupsCommand({})),
    bed.ec2.send(new DescribeKeyPairsCommand({})),
    bed.elb.send(new DescribeLoadBalancersCommand({})),
    bed.elb.send(new DescribeTargetGroupsCommand({})),
  ]);
  let listeners = 0;
  for (const lb of LoadBalancers) listeners += (await bed.elb.send(new DescribeListenersCommand({ LoadBalancerArn: lb.LoadBalancerArn }))).Listeners?.length ?? 0;
  return {
    instances: instances.length,
    groups: SecurityGroups.filter((g) => g.GroupName !== 'default').length,
    keyPairs: KeyPairs.length,
    loadBalancers: LoadBalancers.length,
    targetGroups: TargetGroups.length,
    listeners,
  };
}
const FULL = { instances: 4, groups: 3, keyPairs: 1, loadBalancers: 1, targetGroups: 2, listeners: 2 };
const EMPTY = { instances: 0, groups: 0, keyPairs: 0, loadBalancers: 0, targetGroups: 0, listeners: 0 };

async function groupId(name: string): Promise<string> {
  const { SecurityGroups = [] } = await bed.ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'group-name', Values: [name] }] }));
  assert.is(SecurityGroups.length, 1, `exactly one group ${name}`);
  return SecurityGroups[0]!.GroupId!;
}

/** A group's rules as "in tcp 22-22 sg:k3s-ha-bastion" lines, sorted; group ids shown by name. */
async function rulesOf(name: string): Promise<string[]> {
  const ids = Object.fromEntries(await Promise.all(['bastion', 'servers', 'nlb'].map(async (r) => [await groupId(`k3s-ha-${r}`), `sg:k3s-ha-${r}`])));
  const { SecurityGroupRules = [] } = await bed.ec2.send(new DescribeSecurityGroupRulesCommand({ Filters: [{ Name: 'group-id', Values: [await groupId(name)] }] }));
  return SecurityGroupRules.map(
    (r) => `${r.IsEgress ? 'out' : 'in'} ${r.IpProtocol} ${r.FromPort}-${r.ToPort} ${r.CidrIpv4 ?? ids[r.ReferencedGroupInfo?.GroupId ?? ''] ?? r.ReferencedGroupInfo?.GroupId}`,
  ).sort();
}

const EXPECTED_RULES: Record<string, string[]> = {
  'k3s-ha-bastion': ['in tcp 22-22 203.0.113.7/32', 'out -1 -1--1 0.0.0.0/0'],
  'k3s-ha-servers': [
    'in tcp 10250-10250 sg:k3s-ha-servers',
    'in tcp 22-22 sg:k3s-ha-bastion',
    'in tcp 2379-2380 sg:k3s-ha-servers',
    'in tcp 32000-32000 sg:k3s-ha-nlb',
    'in tcp 443-443 sg:k3s-ha-nlb',
    'in tcp 6443-6443 sg:k3s-ha-bastion',
    'in tcp 6443-6443 sg:k3s-ha-servers',
    'in tcp 80-80 sg:k3s-ha-nlb',
    'in udp 8472-8472 sg:k3s-ha-servers',
    'out -1 -1--1 0.0.0.0/0',
  ],
  'k3s-ha-nlb': ['in tcp 443-443 0.0.0.0/0', 'in tcp 80-80 0.0.0.0/0', 'out tcp 32000-32000 sg:k3s-ha-servers', 'out tcp 443-443 sg:k3s-ha-servers', 'out tcp 80-80 sg:k3s-ha-servers'],
};

async function assertRulesExact(): Promise<void> {
  for (const [name, expected] of Object.entries(EXPECTED_RULES)) assert.equal(await rulesOf(name), [...expected].sort(), name);
}

test('--check on an empty region: a plan of 13 creates, only Describe calls, nothing created', async () => {
  let summary;
  assert.equal(await mutations(async () => ({ summary } = (await provision({ ...options(), check: true }, deps())).plan)), []);
  assert.equal(summary, { create: 13, change: 0, unchanged: 0 });
  assert.ok(bed.sent.length > 5 && bed.sent.every((n) => /^(Describe|Get)/.test(n)), bed.sent.join(','));
  assert.equal(await counts(), EMPTY);
});

test('first run creates everything once', async () => {
  const result = await provision(options(), deps());
  assert.equal(result.plan.summary, { create: 13, change: 0, unchanged: 0 });
  assert.equal(await counts(), FULL);
  assert.ok(lines.includes('13 to create, 0 to change, 0 unchanged'));
});

test('instances: three servers in three distinct zones, Debian 12 image, types and tags', async () => {
  const instances = await liveInstances();
  const tag = (i: Instance, key: string) => i.Tags?.find((t) => t.Key === key)?.Value;
  const servers = instances.filter((i) => tag(i, 'ploy:role') === 'server');
  const bastion = instances.find((i) => tag(i, 'ploy:role') === 'bastion')!;
  assert.equal(servers.map((i) => tag(i, 'Name')).sort(), ['k3s-ha-server-1', 'k3s-ha-server-2', 'k3s-ha-server-3']);
  assert.is(new Set(servers.map((i) => i.Placement?.AvailabilityZone)).size, 3);
  assert.ok(instances.every((i) => i.ImageId === NEWEST_DEBIAN_12 && i.KeyName === 'k3s-ha' && tag(i, 'ploy:cluster') === 'k3s-ha'));
  assert.ok(servers.every((i) => i.InstanceType === 't3.medium'));
  assert.is(bastion.InstanceType, 't3.micro');
  assert.ok(bastion.PublicIpAddress);
});

test('security groups: rules exactly as designed, tagged', async () => {
  await assertRulesExact();
  const { SecurityGroups = [] } = await bed.ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'tag:ploy:cluster', Values: ['k3s-ha'] }] }));
  assert.equal(SecurityGroups.map((g) => g.Tags?.find((t) => t.Key === 'ploy:role')?.Value).sort(), ['bastion', 'nlb', 'servers']);
});

test('load balancer: internet-facing, cross-zone, NLB group, TCP target groups with health check 32000, listeners', async () => {
  const { LoadBalancers = [] } = await bed.elb.send(new DescribeLoadBalancersCommand({ Names: ['k3s-ha-nlb'] }));
  const lb = LoadBalancers[0]!;
  assert.equal([lb.Type, lb.Scheme, lb.State?.Code], ['network', 'internet-facing', 'active']);
  assert.equal(lb.SecurityGroups, [await groupId('k3s-ha-nlb')]);
  const serverZones = (await liveInstances())
    .filter((i) => i.Tags?.some((t) => t.Value === 'server'))
    .map((i) => i.Placement?.AvailabilityZone)
    .sort();
  assert.equal(lb.AvailabilityZones?.map((z) => z.ZoneName).sort(), serverZones);
  const { Attributes = [] } = await bed.elb.send(new DescribeLoadBalancerAttributesCommand({ LoadBalancerArn: lb.LoadBalancerArn }));
  assert.is(Attributes.find((a) => a.Key === 'load_balancing.cross_zone.enabled')?.Value, 'true');
  const { TargetGroups = [] } = await bed.elb.send(new DescribeTargetGroupsCommand({}));
  const serverIds = (await liveInstances())
    .filter((i) => i.Tags?.some((t) => t.Value === 'server'))
    .map((i) => i.InstanceId)
    .sort();
  for (const g of TargetGroups) {
    assert.equal([g.Protocol, g.HealthCheckProtocol, g.HealthCheckPort, g.TargetType], ['TCP', 'TCP', '32000', 'instance'], g.TargetGroupName);
    const { TargetHealthDescriptions = [] } = await bed.elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: g.TargetGroupArn }));
    assert.equal(TargetHealthDescriptions.map((d) => d.Target?.Id).sort(), serverIds);
  }
  const { Listeners = [] } = await bed.elb.send(new DescribeListenersCommand({ LoadBalancerArn: lb.LoadBalancerArn }));
  const tgName = (arn?: string) => TargetGroups.find((g) => g.TargetGroupArn === arn)?.TargetGroupName;
  assert.equal(Listeners.map((l) => `${l.Protocol} ${l.Port} -> ${tgName(l.DefaultActions?.[0]?.TargetGroupArn)}`).sort(), ['TCP 443 -> k3s-ha-tg443', 'TCP 80 -> k3s-ha-tg80']);
  const { TagDescriptions = [] } = await bed.elb.send(new DescribeTagsCommand({ ResourceArns: [lb.LoadBalancerArn!, ...TargetGroups.map((g) => g.TargetGroupArn!)] }));
  assert.ok(TagDescriptions.length === 3 && TagDescriptions.every((d) => d.Tags?.some((t) => t.Key === 'ploy:cluster' && t.Value === 'k3s-ha')));
});

test('the inventory matches what AWS reports and reads back through lib/inventory', async () => {
  const path = options().inventoryOut;
  assert.is(statSync(path).mode & 0o777, 0o644);
  const inv = await loadInventory(path);
  const instances = await liveInstances();
  const byName = (name: string) => instances.find((i) => i.Tags?.some((t) => t.Key === 'Name' && t.Value === name))!;
  assert.is(inv.host('k3s-ha-bastion').vars.ansible_host, byName('k3s-ha-bastion').PublicIpAddress);
  for (const name of inv.select('k3s_servers')) {
    const vars = inv.host(name).vars;
    assert.equal([vars.ansible_host, vars.private_ip, vars.ploy_jump_host, vars.ansible_user], [byName(name).PrivateIpAddress, byName(name).PrivateIpAddress, 'k3s-ha-bastion', 'admin']);
    assert.is(vars.ansible_ssh_private_key_file, '/home/op/.ssh/id_ed25519');
  }
  assert.equal(inv.select('buildkit'), ['k3s-ha-server-3']);
  const { LoadBalancers = [] } = await bed.elb.send(new DescribeLoadBalancersCommand({ Names: ['k3s-ha-nlb'] }));
  assert.is(inv.host('k3s-ha-server-1').vars.k3s_lb_dns, LoadBalancers[0]?.DNSName);
});

test('second run: 0 to create, 0 to change, and not one mutating call', async () => {
  let summary;
  assert.equal(await mutations(async () => ({ summary } = (await provision(options(), deps())).plan)), []);
  assert.equal(summary, { create: 0, change: 0, unchanged: 13 });
  assert.equal(await counts(), FULL);
});

test('drift by hand (a rule, cross-zone, a health check) is planned in --check and corrected by a run', async () => {
  const servers = await groupId('k3s-ha-servers');
  await bed.ec2.send(new RevokeSecurityGroupIngressCommand({ GroupId: servers, IpPermissions: [{ IpProtocol: 'udp', FromPort: 8472, ToPort: 8472, UserIdGroupPairs: [{ GroupId: servers }] }] }));
  await bed.ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: servers, IpPermissions: [{ IpProtocol: 'tcp', FromPort: 8080, ToPort: 8080, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }] }));
  const { LoadBalancers = [] } = await bed.elb.send(new DescribeLoadBalancersCommand({ Names: ['k3s-ha-nlb'] }));
  await bed.elb.send(new ModifyLoadBalancerAttributesCommand({ LoadBalancerArn: LoadBalancers[0]!.LoadBalancerArn, Attributes: [{ Key: 'load_balancing.cross_zone.enabled', Value: 'false' }] }));
  const { TargetGroups = [] } = await bed.elb.send(new DescribeTargetGroupsCommand({ Names: ['k3s-ha-tg443'] }));
  await bed.elb.send(new ModifyTargetGroupCommand({ TargetGroupArn: TargetGroups[0]!.TargetGroupArn, HealthCheckPort: 'traffic-port' }));

  lines.length = 0;
  let checked;
  assert.equal(await mutations(async () => ({ summary: checked } = (await provision({ ...options(), check: true }, deps())).plan)), []);
  assert.equal(checked, { create: 0, change: 3, unchanged: 10 });
  assert.ok(lines.includes('      authorize in udp 8472 from sg k3s-ha-servers'), lines.join('\n'));
  assert.ok(lines.includes('      revoke in tcp 8080 from 0.0.0.0/0'));
  assert.ok(lines.includes('    health check TCP traffic-port -> TCP 32000'));

  assert.equal((await provision(options(), deps())).plan.summary, { create: 0, change: 3, unchanged: 10 });
  await assertRulesExact();
  assert.equal((await provision({ ...options(), check: true }, deps())).plan.summary, { create: 0, change: 0, unchanged: 13 });
  assert.equal(await counts(), FULL);
});

test('teardown --check lists everything and deletes nothing', async () => {
  let items: unknown[] = [];
  assert.equal(await mutations(async () => (items = await teardown({ ...teardownOptions(), check: true }, deps()))), []);
  assert.is(items.length, 13);
  assert.equal(await counts(), FULL);
});

test('teardown deletes everything tagged; a second teardown finds nothing and calls nothing', async () => {
  const deleted = await teardown(teardownOptions(), deps());
  assert.is(deleted.length, 13);
  assert.equal(await counts(), EMPTY);
  let again: unknown[] = [1];
  assert.equal(await mutations(async () => (again = await teardown(teardownOptions(), deps()))), []);
  assert.equal(again, []);
});

test.run();
