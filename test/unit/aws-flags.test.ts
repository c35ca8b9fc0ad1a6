import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { homedir } from 'node:os';
import { parseProvisionFlags, parseTeardownFlags, type ProvisionOptions } from '../../lib/aws/flags.ts';
import { inputError } from '../support/input-error.ts';

const env = { AWS_REGION: 'eu-west-3' };
const base = ['--operator-cidr', '203.0.113.7/32'];

function provision(args: string[], environment: Record<string, string> = env): ProvisionOptions {
  const parsed = parseProvisionFlags(args, environment, '/work/project');
  if (parsed.help) throw new Error('unexpected help');
  return parsed;
}

test('defaults: cluster, instance types, key, inventory path', () => {
  const o = provision(base);
  assert.is(o.cluster, 'k3s-ha');
  assert.is(o.region, 'eu-west-3');
  assert.is(o.endpoint, undefined);
  assert.is(o.instanceType, 't3.medium');
  assert.is(o.bastionInstanceType, 't3.micro');
  assert.is(o.publicKeyPath, `${homedir()}/.ssh/id_ed25519.pub`);
  assert.is(o.inventoryOut, '/work/project/inventory/hosts.yml');
  assert.is(o.ami, undefined);
  assert.is(o.privateKeyPath, undefined);
  assert.equal([o.check, o.json, o.verbosity], [false, false, 0]);
});

test('every flag is read, with the shared short forms', () => {
  const o = provision([
    ...base,
    '--cluster',
    'demo-1',
    '--region',
    'us-east-1',
    '--endpoint',
    'http://127.0.0.1:5000',
    '--public-key',
    'keys/op.pub',
    '--private-key',
    '~/.ssh/op',
    '--instance-type',
    't3.large',
    '--bastion-instance-type',
    't3.nano',
    '--ami',
    'ami-0123456789abcdef0',
    '--inventory-out',
    'out/h.yml',
    '-C',
    '--json',
    '-vv',
  ]);
  assert.is(o.cluster, 'demo-1');
  assert.is(o.region, 'us-east-1');
  assert.is(o.endpoint, 'http://127.0.0.1:5000');
  assert.is(o.publicKeyPath, '/work/project/keys/op.pub');
  assert.is(o.privateKeyPath, `${homedir()}/.ssh/op`);
  assert.is(o.instanceType, 't3.large');
  assert.is(o.bastionInstanceType, 't3.nano');
  assert.is(o.ami, 'ami-0123456789abcdef0');
  assert.is(o.inventoryOut, '/work/project/out/h.yml');
  assert.equal([o.check, o.json, o.verbosity], [true, true, 2]);
});

test('region and endpoint come from the environment when not given', () => {
  assert.is(provision(base, { AWS_DEFAULT_REGION: 'ap-south-1' }).region, 'ap-south-1');
  assert.is(provision(base, { AWS_REGION: 'us-west-2', AWS_ENDPOINT_URL: 'https://ec2.example.test' }).endpoint, 'https://ec2.example.test');
});

test('--operator-cidr is required and must be a CIDR', () => {
  assert.match(inputError(() => provision([])).message, /field "--operator-cidr": --operator-cidr is required/);
  assert.match(inputError(() => provision(['--operator-cidr', '203.0.113.7'])).message, /field "--operator-cidr": "203.0.113.7" is not an IPv4 CIDR/);
});

test('0.0.0.0/0 needs --allow-ssh-from-anywhere', () => {
  assert.match(inputError(() => provision(['--operator-cidr', '0.0.0.0/0'])).message, /whole internet.*--allow-ssh-from-anywhere/);
  assert.is(provision(['--operator-cidr', '0.0.0.0/0', '--allow-ssh-from-anywhere']).operatorCidr, '0.0.0.0/0');
});

test('no region anywhere is an error naming --region', () => {
  const e = inputError(() => provision(base, {}));
  assert.is(e.where?.field, '--region');
  assert.match(e.message, /no AWS region: pass --region or set AWS_REGION/);
});

test('bad values name their flag', () => {
  const cases: [string[], string, RegExp][] = [
    [['--region', 'Paris'], '--region', /not an AWS region/],
    [['--endpoint', 'localhost:5000'], '--endpoint', /must be an http/],
    [['--endpoint', 'not a url'], '--endpoint', /is not a URL/],
    [['--cluster', 'my_cluster'], '--cluster', /not a usable cluster name/],
    [['--cluster', 'a-very-long-cluster-name-here'], '--cluster', /not a usable cluster name/],
    [['--instance-type', 'big'], '--instance-type', /not an EC2 instance type/],
    [['--ami', 'debian'], '--ami', /not an AMI id/],
  ];
  for (const [args, field, message] of cases) {
    const e = inputError(() => provision([...base, ...args]));
    assert.is(e.where?.field, field, args.join(' '));
    assert.match(e.message, message);
  }
  assert.is(inputError(() => provision(base, { AWS_REGION: 'eu-west-3', AWS_ENDPOINT_URL: 'ftp://x' })).where?.field, 'AWS_ENDPOINT_URL');
  assert.is(inputError(() => provision(base, { AWS_REGION: 'Paris' })).where?.field, 'AWS_REGION');
  assert.is(inputError(() => provision(base, { AWS_DEFAULT_REGION: 'Paris' })).where?.field, 'AWS_DEFAULT_REGION');
});

test('an empty value is refused by the shared parser, naming the flag', () => {
  assert.match(inputError(() => provision([...base, '--inventory-out', ''])).message, /^--inventory-out: needs a value$/);
  assert.match(inputError(() => provision([...base, '--private-key', ' '])).message, /^--private-key: needs a value$/);
  assert.match(inputError(() => provision(['--operator-cidr'])).message, /^--operator-cidr: needs a value$/);
});

test('unknown flags and stray arguments are input errors', () => {
  assert.is(inputError(() => provision([...base, '--forks', '3'])).message, 'unknown flag --forks (see --help for the flags)');
  assert.is(inputError(() => provision([...base, 'extra'])).message, 'unexpected argument "extra": only flags are accepted (see --help)');
  assert.match(inputError(() => parseTeardownFlags(['--operator-cidr', '1.2.3.4/32'], env)).message, /^unknown flag --operator-cidr /);
  assert.match(inputError(() => provision([...base, '--allow-ssh-from-anywhere=yes'])).message, /^--allow-ssh-from-anywhere: takes no value/);
});

test('-h wins over missing required flags', () => {
  assert.equal(parseProvisionFlags(['-h'], {}), { help: true });
  assert.equal(parseTeardownFlags(['--help'], {}), { help: true });
});

test('-h also wins over bad flags and values', () => {
  assert.equal(parseProvisionFlags(['--forks', '3', '--region', 'Paris', '-h'], {}), { help: true });
});

test('-v counts, long and short; the last value of a flag wins', () => {
  assert.is(provision([...base, '-vvv']).verbosity, 3);
  assert.is(provision([...base, '--verbose', '-v']).verbosity, 2);
  assert.is(provision([...base, '--cluster', 'a', '--cluster', 'b']).cluster, 'b');
});

test('teardown: --yes/-y, and the common flags', () => {
  const o = parseTeardownFlags(['-y', '--cluster', 'demo', '--check', '-v'], env);
  assert.ok(!o.help);
  if (!o.help) assert.equal([o.yes, o.cluster, o.check, o.verbosity, o.region], [true, 'demo', true, 1, 'eu-west-3']);
  const plain = parseTeardownFlags([], env);
  assert.ok(!plain.help && plain.yes === false);
});

test.run();
