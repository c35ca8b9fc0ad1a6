import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { desiredState, type DesiredInput } from '../../lib/aws/desired.ts';
import type { DesiredState, ExistingState, SecurityGroupRole } from '../../lib/aws/model.ts';
import { PHASE } from '../../lib/aws/operations.ts';
import { plan, type Plan, type ResourcePlan } from '../../lib/aws/plan.ts';
import { planLines } from '../../lib/aws/report.ts';

const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFVK2bD0I2c7mFJ3wWn0K8f0o0Zq6m3mFx2w4nQ3S7xH op@laptop';
const OTHER_KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHkG6f9r8r0m2b0f6x1mU7vJm1sV7zJ4r3l8dQ0sX3pA someone@else';

const input: DesiredInput = {
  cluster: 'c1',
  vpcId: 'vpc-1',
  zones: [
    { zone: 'eu-west-3a', subnetId: 'subnet-a' },
    { zone: 'eu-west-3b', subnetId: 'subnet-b' },
    { zone: 'eu-west-3c', subnetId: 'subnet-c' },
  ],
  imageId: 'ami-1',
  instanceType: 't3.medium',
  bastionInstanceType: 't3.micro',
  operatorCidr: '203.0.113.7/32',
  publicKey: KEY,
};
const desired = desiredState(input);
const SG: Record<SecurityGroupRole, string> = { bastion: 'sg-b', servers: 'sg-s', nlb: 'sg-n' };

/** What AWS would report once the desired state is in place (protocols as AWS writes them). */
function converged(d: DesiredState): ExistingState {
  const instanceId = (name: string) => `i-${name}`;
  const servers = d.instances.filter((i) => i.role === 'server').map((i) => instanceId(i.name));
  return {
    keyPair: { id: 'key-1', name: d.keyPair.name, publicKey: KEY.replace(' op@laptop', ''), tagged: true },
    securityGroups: d.securityGroups.map((g) => ({
      id: SG[g.role],
      name: g.name,
      role: g.role,
      rules: g.rules.map((r, n) => ({
        id: `sgr-${g.role}-${n}`,
        direction: r.direction,
        protocol: r.protocol === 'all' ? '-1' : r.protocol,
        fromPort: r.fromPort,
        toPort: r.toPort,
        peer: 'cidr' in r.peer ? { cidr: r.peer.cidr } : { groupId: SG[r.peer.group] },
      })),
    })),
    instances: d.instances.map((i) => ({
      id: instanceId(i.name),
      name: i.name,
      state: 'running',
      instanceType: i.instanceType,
      imageId: i.imageId,
      zone: i.zone,
      securityGroupIds: [SG[i.securityGroup]],
      privateIp: '172.31.0.10',
    })),
    targetGroups: d.targetGroups.map((g) => ({
      arn: `arn:tg/${g.name}`,
      name: g.name,
      port: g.port,
      protocol: 'TCP',
      healthCheckProtocol: 'TCP',
      healthCheckPort: '32000',
      targetIds: servers,
    })),
    loadBalancer: {
      arn: 'arn:lb',
      name: d.loadBalancer.name,
      dnsName: 'c1-nlb.elb.example',
      state: 'active',
      scheme: 'internet-facing',
      subnetIds: ['subnet-c', 'subnet-a', 'subnet-b'],
      securityGroupIds: ['sg-n'],
      crossZone: true,
      listeners: d.loadBalancer.listeners.map((l) => ({ arn: `arn:listener/${l.port}`, port: l.port, protocol: 'TCP', targetGroupArns: [`arn:tg/${l.targetGroup}`] })),
    },
    conflicts: [],
  };
}

const nothing: ExistingState = { securityGroups: [], instances: [], targetGroups: [], conflicts: [] };

function resource(p: Plan, kind: ResourcePlan['kind'], name: string): ResourcePlan {
  const found = p.resources.find((r) => r.kind === kind && r.name === name);
  if (!found) throw new Error(`no ${kind} ${name} in the plan`);
  return found;
}

test('desired state: three servers in three distinct zones, bastion in the first, names and targets', () => {
  const servers = desired.instances.filter((i) => i.role === 'server');
  assert.equal(
    servers.map((s) => s.name),
    ['c1-server-1', 'c1-server-2', 'c1-server-3'],
  );
  assert.is(new Set(servers.map((s) => s.zone)).size, 3);
  assert.equal(desired.instances[0], { name: 'c1-bastion', role: 'bastion', instanceType: 't3.micro', imageId: 'ami-1', zone: 'eu-west-3a', subnetId: 'subnet-a', securityGroup: 'bastion' });
  assert.equal(desired.loadBalancer.subnetIds, ['subnet-a', 'subnet-b', 'subnet-c']);
  assert.equal(
    desired.targetGroups.map((g) => [g.name, g.port, g.healthCheckPort, g.targets.length]),
    [
      ['c1-tg80', 80, 32000, 3],
      ['c1-tg443', 443, 32000, 3],
    ],
  );
  assert.throws(() => desiredState({ ...input, zones: input.zones.slice(0, 2) }), /needs 3 zones/);
});

test('nothing exists: 13 to create, the NLB group loses its default egress', () => {
  const p = plan(desired, nothing);
  assert.equal(p.summary, { create: 13, change: 0, unchanged: 0 });
  assert.equal(p.problems, []);
  assert.ok(p.resources.every((r) => r.verb === 'create'));
  const nlb = resource(p, 'security group', 'c1-nlb');
  const rules = nlb.changes.find((c) => c.operation.op === 'syncRules');
  assert.ok(rules?.details?.includes('revoke out all all ports to 0.0.0.0/0'));
  assert.ok(rules?.details?.includes('authorize out tcp 32000 to sg c1-servers'));
  const servers = resource(p, 'security group', 'c1-servers');
  assert.equal(servers.changes.find((c) => c.operation.op === 'syncRules')?.details, [
    'authorize in tcp 22 from sg c1-bastion',
    'authorize in tcp 6443 from sg c1-bastion',
    'authorize in tcp 80 from sg c1-nlb',
    'authorize in tcp 443 from sg c1-nlb',
    'authorize in tcp 32000 from sg c1-nlb',
    'authorize in tcp 2379-2380 from sg c1-servers',
    'authorize in tcp 6443 from sg c1-servers',
    'authorize in tcp 10250 from sg c1-servers',
    'authorize in udp 8472 from sg c1-servers',
  ]);
  assert.equal(resource(p, 'security group', 'c1-bastion').changes[1]?.details, ['authorize in tcp 22 from 203.0.113.7/32']);
});

test('everything in place: 0 to create, 0 to change', () => {
  const p = plan(desired, converged(desired));
  assert.equal(p.summary, { create: 0, change: 0, unchanged: 13 });
  assert.equal(p.problems, []);
  assert.ok(p.resources.every((r) => r.changes.length === 0 && r.notes.length === 0));
  assert.is(planLines(p).at(-1), '0 to create, 0 to change, 13 unchanged');
});

test('drifted rules: the missing one authorized, the extra and the duplicate revoked', () => {
  const existing = converged(desired);
  const servers = existing.securityGroups.find((g) => g.role === 'servers')!;
  const rules = servers.rules.filter((r) => !(r.protocol === 'udp' && r.fromPort === 8472));
  const drifted = {
    ...existing,
    securityGroups: existing.securityGroups.map((g) =>
      g === servers
        ? {
            ...g,
            rules: [...rules, { id: 'sgr-extra', direction: 'ingress' as const, protocol: 'tcp', fromPort: 8080, toPort: 8080, peer: { cidr: '0.0.0.0/0' } }, { ...rules[0]!, id: 'sgr-dup' }],
          }
        : g,
    ),
  };
  const p = plan(desired, drifted);
  assert.equal(p.summary, { create: 0, change: 1, unchanged: 12 });
  const change = resource(p, 'security group', 'c1-servers');
  assert.is(change.verb, 'change');
  assert.equal(change.changes[0]?.details, ['authorize in udp 8472 from sg c1-servers', 'revoke in tcp 8080 from 0.0.0.0/0', 'revoke in tcp 22 from sg c1-bastion']);
});

test('protocol numbers are the same rules as their names', () => {
  const existing = converged(desired);
  const numeric = {
    ...existing,
    securityGroups: existing.securityGroups.map((g) => ({ ...g, rules: g.rules.map((r) => ({ ...r, protocol: r.protocol === 'tcp' ? '6' : r.protocol === 'udp' ? '17' : r.protocol })) })),
  };
  assert.equal(plan(desired, numeric).summary, { create: 0, change: 0, unchanged: 13 });
});

test('load balancing drift: health check, cross-zone, targets, listener target, a stray listener', () => {
  const existing = converged(desired);
  const lb = existing.loadBalancer!;
  const drifted: ExistingState = {
    ...existing,
    targetGroups: existing.targetGroups.map((g) =>
      g.port === 80 ? { ...g, healthCheckProtocol: 'HTTP', healthCheckPort: 'traffic-port' } : { ...g, targetIds: ['i-c1-server-1', 'i-c1-server-2', 'i-stranger'] },
    ),
    loadBalancer: {
      ...lb,
      crossZone: false,
      listeners: [{ ...lb.listeners[0]!, targetGroupArns: ['arn:tg/c1-tg443'] }, lb.listeners[1]!, { arn: 'arn:listener/8080', port: 8080, protocol: 'TCP', targetGroupArns: ['arn:tg/c1-tg80'] }],
    },
  };
  const p = plan(desired, drifted);
  assert.equal(p.summary, { create: 0, change: 4, unchanged: 9 });
  assert.equal(
    resource(p, 'target group', 'c1-tg80').changes.map((c) => c.text),
    ['health check HTTP traffic-port -> TCP 32000'],
  );
  assert.equal(
    resource(p, 'target group', 'c1-tg443').changes.map((c) => c.text),
    ['register c1-server-3', 'deregister i-stranger'],
  );
  assert.equal(
    resource(p, 'load balancer', 'c1-nlb').changes.map((c) => c.operation.op),
    ['setCrossZone', 'deleteListener'],
  );
  assert.equal(
    resource(p, 'listener', 'c1-nlb:80').changes.map((c) => c.text),
    ['TCP to c1-tg443 -> TCP to c1-tg80'],
  );
});

test('instances: a stopped one is started, a wrong group corrected, a different type only noted', () => {
  const existing = converged(desired);
  const drifted = {
    ...existing,
    instances: existing.instances.map((i) =>
      i.name === 'c1-server-1'
        ? { ...i, state: 'stopped' }
        : i.name === 'c1-server-2'
          ? { ...i, securityGroupIds: ['sg-b'] }
          : i.name === 'c1-server-3'
            ? { ...i, instanceType: 't3.small', imageId: 'ami-old' }
            : i,
    ),
  };
  const p = plan(desired, drifted);
  assert.equal(
    resource(p, 'instance', 'c1-server-1').changes.map((c) => c.operation.op),
    ['startInstance'],
  );
  assert.equal(
    resource(p, 'instance', 'c1-server-2').changes.map((c) => c.text),
    ['security groups sg-b -> sg-s'],
  );
  const third = resource(p, 'instance', 'c1-server-3');
  assert.is(third.verb, 'keep');
  assert.is(third.notes.length, 2);
  assert.match(third.notes[0]!, /t3\.small, not t3\.medium: ploy does not replace instances/);
  assert.equal(p.problems, []);
});

test('problems block the plan: another key, duplicates, a stopping instance, discovery conflicts', () => {
  const existing = converged(desired);
  const p = plan(desired, {
    ...existing,
    keyPair: { ...existing.keyPair!, publicKey: OTHER_KEY },
    instances: [...existing.instances.map((i) => (i.name === 'c1-bastion' ? { ...i, state: 'stopping' } : i)), { ...existing.instances[1]!, id: 'i-twin' }],
    conflicts: ['security group c1-nlb (sg-x) exists in vpc-1 but is not tagged'],
  });
  assert.is(p.problems.length, 4);
  assert.match(p.problems[0]!, /not tagged/);
  assert.match(p.problems[1]!, /key pair "c1" \(key-1\) already exists with a different public key than --public-key/);
  assert.match(p.problems[2]!, /instance c1-bastion .* is stopping/);
  assert.match(p.problems[3]!, /2 instances are tagged Name=c1-server-1 .*i-c1-server-1, i-twin/);
  assert.ok(planLines(p).some((line) => line.startsWith('! key pair')));
});

test('an untagged key pair with the same key is adopted by tagging it; unknown material is noted', () => {
  const existing = converged(desired);
  const untagged = plan(desired, { ...existing, keyPair: { ...existing.keyPair!, tagged: false } });
  assert.equal(
    resource(untagged, 'key pair', 'c1').changes.map((c) => c.operation.op),
    ['tagKeyPair'],
  );
  const unknown = plan(desired, { ...existing, keyPair: { id: 'key-1', name: 'c1', tagged: true } });
  assert.is(resource(unknown, 'key pair', 'c1').verb, 'keep');
  assert.match(resource(unknown, 'key pair', 'c1').notes[0]!, /not compared/);
});

test('apply order: every step comes after what it needs', () => {
  const order = (op: keyof typeof PHASE) => PHASE[op];
  assert.ok(order('createSecurityGroup') < order('syncRules'));
  assert.ok(order('syncRules') < order('createInstance'));
  assert.ok(order('createKeyPair') < order('createInstance'));
  assert.ok(order('createInstance') < order('registerTargets'));
  assert.ok(order('createTargetGroup') < order('registerTargets'));
  assert.ok(order('createLoadBalancer') < order('setCrossZone'));
  assert.ok(order('createTargetGroup') < order('createListener'));
  assert.ok(order('createLoadBalancer') < order('createListener'));
});

test.run();
