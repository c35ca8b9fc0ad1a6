import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { DesiredRule, ExistingRule } from '../../lib/aws/model.ts';
import { defaultRulesOfNewGroup, describeRule, diffRules, toIpPermission } from '../../lib/aws/rules.ts';

const ssh: DesiredRule = { direction: 'ingress', protocol: 'tcp', fromPort: 22, toPort: 22, peer: { group: 'bastion' } };
const allOut: DesiredRule = { direction: 'egress', protocol: 'all', fromPort: -1, toPort: -1, peer: { cidr: '0.0.0.0/0' } };
const name = (ref: string) => ({ bastion: 'c1-bastion', 'sg-b': 'c1-bastion' })[ref] ?? ref;

test('the API form: ports only for tcp/udp, a group peer by id', () => {
  assert.equal(toIpPermission(ssh, { bastion: 'sg-b' }), { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, UserIdGroupPairs: [{ GroupId: 'sg-b' }] });
  assert.equal(toIpPermission(allOut, {}), { IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] });
  assert.throws(() => toIpPermission(ssh, {}), /"bastion" has no id yet/);
});

test('a rule naming a group that does not exist yet is always missing', () => {
  const existing: ExistingRule[] = [{ id: 'r1', direction: 'ingress', protocol: 'tcp', fromPort: 22, toPort: 22, peer: { groupId: 'sg-old' } }];
  const diff = diffRules([ssh], existing, {});
  assert.equal(diff.authorize, [ssh]);
  assert.equal(
    diff.revoke.map((r) => r.id),
    ['r1'],
  );
});

test('all-traffic rules match whatever ports AWS reports; IPv6 and prefix-list rules are extra', () => {
  const existing: ExistingRule[] = [
    { id: 'r1', direction: 'egress', protocol: '-1', fromPort: 0, toPort: 65535, peer: { cidr: '0.0.0.0/0' } },
    { id: 'r2', direction: 'egress', protocol: '-1', fromPort: -1, toPort: -1, peer: { cidr6: '::/0' } },
    { id: 'r3', direction: 'egress', protocol: 'tcp', fromPort: 443, toPort: 443, peer: { prefixList: 'pl-1' } },
  ];
  const diff = diffRules([allOut], existing, {});
  assert.equal(diff.authorize, []);
  assert.equal(
    diff.revoke.map((r) => r.id),
    ['r2', 'r3'],
  );
  assert.equal(
    diff.revoke.map((r) => describeRule(r, name)),
    ['out all all ports to ::/0', 'out tcp 443 to prefix list pl-1'],
  );
});

test('direction is part of a rule: the same ports out are not the same rule in', () => {
  const inbound: DesiredRule = { ...ssh, peer: { cidr: '10.0.0.0/8' } };
  const outbound: ExistingRule = { id: 'r1', direction: 'egress', protocol: 'tcp', fromPort: 22, toPort: 22, peer: { cidr: '10.0.0.0/8' } };
  const diff = diffRules([inbound], [outbound], {});
  assert.equal([diff.authorize.length, diff.revoke.length], [1, 1]);
});

test('texts name groups, ranges and directions', () => {
  assert.is(describeRule(ssh, name), 'in tcp 22 from sg c1-bastion');
  assert.is(describeRule({ ...ssh, fromPort: 2379, toPort: 2380, peer: { cidr: '10.0.0.0/8' } }, name), 'in tcp 2379-2380 from 10.0.0.0/8');
  assert.is(describeRule({ id: 'x', direction: 'egress', protocol: '17', fromPort: 8472, toPort: 8472, peer: { groupId: 'sg-b' } }, name), 'out udp 8472 to sg c1-bastion');
});

test('a new group starts with AWS default egress, which a group wanting it keeps', () => {
  assert.equal(diffRules([allOut], defaultRulesOfNewGroup(), {}), { authorize: [], revoke: [] });
  assert.equal(diffRules([], defaultRulesOfNewGroup(), {}).revoke.length, 1);
});

test.run();
