import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isAnywhere, parseIpv4Cidr } from '../../lib/aws/cidr.ts';

test('accepts IPv4 CIDRs and keeps their canonical text', () => {
  for (const text of ['203.0.113.7/32', '10.0.0.0/8', '192.168.1.0/24', '0.0.0.0/0', ' 198.51.100.0/24 ']) {
    const parsed = parseIpv4Cidr(text);
    assert.not.ok('error' in parsed, text);
    assert.is((parsed as { text: string }).text, text.trim());
  }
});

test('rejects what is not an IPv4 CIDR, saying why', () => {
  const cases: [string, RegExp][] = [
    ['203.0.113.7', /not an IPv4 CIDR/],
    ['203.0.113/24', /not an IPv4 address/],
    ['256.0.0.0/8', /not an IPv4 address/],
    ['10.0.0.01/32', /not an IPv4 address/],
    ['10.0.0.0/33', /over 32/],
    ['2001:db8::/32', /not an IPv4 address/],
    ['me', /not an IPv4 CIDR/],
    ['', /not an IPv4 CIDR/],
  ];
  for (const [text, reason] of cases) {
    const parsed = parseIpv4Cidr(text);
    assert.ok('error' in parsed, text);
    assert.match((parsed as { error: string }).error, reason);
  }
});

test('host bits set: the error suggests the network and the single address', () => {
  const parsed = parseIpv4Cidr('203.0.113.7/24');
  assert.ok('error' in parsed);
  assert.match((parsed as { error: string }).error, /write 203\.0\.113\.0\/24, or 203\.0\.113\.7\/32/);
});

test('only a /0 is "anywhere"', () => {
  const any = parseIpv4Cidr('0.0.0.0/0');
  const one = parseIpv4Cidr('0.0.0.0/32');
  assert.ok(!('error' in any) && isAnywhere(any));
  assert.ok(!('error' in one) && !isAnywhere(one));
});

test.run();
