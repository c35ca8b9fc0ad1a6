/**
 * What provision refuses, and the CLI around it, against a real moto_server: every error here
 * must come before anything is created, so each case also proves that no mutating call was sent.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CreateSecurityGroupCommand,
  DeleteKeyPairCommand,
  DeleteSecurityGroupCommand,
  DeleteSubnetCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  ImportKeyPairCommand,
} from '@aws-sdk/client-ec2';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isReadOnlyCommand } from '../../lib/aws/clients.ts';
import type { ProvisionOptions } from '../../lib/aws/flags.ts';
import { provision } from '../../lib/aws/provision.ts';
import { InputError } from '../../lib/errors.ts';
import { ed25519PublicKey } from '../support/aws-test-key.ts';
import { useProvisionBed } from '../support/provision-bed.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'; // node 20 is this project's floor
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const REGION = 'us-east-1'; // see startMoto
const bed = useProvisionBed(test, REGION, 'ploy-provision-errors-');
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
});
const deps = () => ({ clients: { ec2: bed.ec2, elb: bed.elb }, output: { out: (l: string) => lines.push(l), err: () => {} } });

/** Provision must fail with an InputError matching `message`, having sent no mutating call. */
async function refused(o: ProvisionOptions, message: RegExp): Promise<InputError> {
  bed.sent.length = 0;
  lines.length = 0;
  const error = await provision(o, deps()).then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.instance(error, InputError, `expected an InputError, got ${String(error)}`);
  assert.match((error as Error).message, message);
  assert.equal(
    bed.sent.filter((n) => !isReadOnlyCommand(n)),
    [],
    'no mutating call',
  );
  return error as InputError;
}

function cli(script: string, args: string[], env: Record<string, string>) {
  const run = spawnSync(process.execPath, ['--import', 'tsx', `playbooks/${script}.ts`, ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: bed.dir, NO_COLOR: '1', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

test('an unreadable public key is refused before any AWS call', async () => {
  const error = await refused({ ...options(), publicKeyPath: join(bed.dir, 'missing.pub') }, /missing\.pub, field "--public-key": cannot read the public key: no such file/);
  assert.is(error.where?.field, '--public-key');
  assert.equal(bed.sent, []);
  writeFileSync(join(bed.dir, 'private'), '-----BEGIN OPENSSH PRIVATE KEY-----\n');
  await refused({ ...options(), publicKeyPath: join(bed.dir, 'private') }, /not a usable public key: this is a private key/);
});

test('an --ami that does not exist is refused', async () => {
  await refused({ ...options(), ami: 'ami-0123456789abcdef0' }, /field "--ami": AMI ami-0123456789abcdef0 does not exist in us-east-1/);
});

test("a same-named security group that is not the cluster's is never adopted", async () => {
  const { Vpcs = [] } = await bed.ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: 'is-default', Values: ['true'] }] }));
  const { GroupId } = await bed.ec2.send(new CreateSecurityGroupCommand({ GroupName: 'k3s-ha-nlb', Description: 'hand-made', VpcId: Vpcs[0]?.VpcId }));
  await refused(options(), /the plan has 1 problem\(s\) \(listed above\); nothing was changed/);
  assert.ok(
    lines.some((l) => l.startsWith(`! security group k3s-ha-nlb (${GroupId}) exists in`) && l.includes('not tagged ploy:cluster=k3s-ha')),
    lines.join('\n'),
  );
  await bed.ec2.send(new DeleteSecurityGroupCommand({ GroupId }));
});

test('an existing key pair with another key is an error explaining it, never replaced', async () => {
  await bed.ec2.send(new ImportKeyPairCommand({ KeyName: 'k3s-ha', PublicKeyMaterial: new TextEncoder().encode(ed25519PublicKey('someone-else')) }));
  await refused(options(), /1 problem/);
  assert.ok(
    lines.some((l) => /^! key pair "k3s-ha" \(key-\w+\) already exists with a different public key than --public-key/.test(l)),
    lines.join('\n'),
  );
  await bed.ec2.send(new DeleteKeyPairCommand({ KeyName: 'k3s-ha' }));
});

test('CLI: no credentials is exit 1 with a clear message, before any call', () => {
  const run = cli('provision', ['--operator-cidr', '203.0.113.7/32', '--public-key', join(bed.dir, 'id_ed25519.pub')], {
    AWS_REGION: REGION,
    AWS_ENDPOINT_URL: bed.moto.endpoint,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_SHARED_CREDENTIALS_FILE: join(bed.dir, 'none'),
    AWS_CONFIG_FILE: join(bed.dir, 'none'),
  });
  assert.is(run.code, 1, run.stderr);
  assert.match(run.stderr, /^ERROR: field "credentials": no AWS credentials found .*set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY/);
});

test('CLI: bad flags exit 1 naming the flag; -h prints the usage', () => {
  const bad = cli('provision', ['--operator-cidr', '0.0.0.0/0'], { AWS_REGION: REGION });
  assert.is(bad.code, 1);
  assert.match(bad.stderr, /^ERROR: field "--operator-cidr": 0\.0\.0\.0\/0 opens SSH on the bastion to the whole internet/);
  const help = cli('teardown', ['-h'], {});
  assert.is(help.code, 0);
  assert.match(help.stdout, /^Usage: tsx playbooks\/teardown\.ts/);
});

test('CLI: --check --json prints one JSON document; -v names every AWS call on stderr', () => {
  const run = cli('provision', ['--operator-cidr', '203.0.113.7/32', '--public-key', join(bed.dir, 'id_ed25519.pub'), '--check', '--json', '-v'], bed.moto.env);
  assert.is(run.code, 0, run.stderr);
  const doc = JSON.parse(run.stdout) as { command: string; check: boolean; summary: unknown; resources: { action: string }[] };
  assert.equal([doc.command, doc.check, doc.summary], ['provision', true, { create: 13, change: 0, unchanged: 0 }]);
  assert.is(doc.resources.length, 13);
  assert.match(run.stderr, /aws DescribeVpcs\n/);
  assert.not.match(run.stderr, /aws (Create|Run|Import|Authorize)/);
});

test('CLI: teardown without a terminal and without --yes is exit 1 (here with something to delete)', async () => {
  await bed.ec2.send(
    new ImportKeyPairCommand({
      KeyName: 'k3s-ha',
      PublicKeyMaterial: new TextEncoder().encode(ed25519PublicKey('x')),
      TagSpecifications: [{ ResourceType: 'key-pair', Tags: [{ Key: 'ploy:cluster', Value: 'k3s-ha' }] }],
    }),
  );
  const run = cli('teardown', [], bed.moto.env);
  assert.is(run.code, 1, run.stderr);
  assert.match(run.stdout, /- delete key pair k3s-ha/);
  assert.match(run.stderr, /refusing to delete without confirmation: not on a terminal; pass --yes/);
  const yes = cli('teardown', ['--yes'], bed.moto.env);
  assert.is(yes.code, 0, yes.stderr);
  assert.match(yes.stdout, /deleted 1 resources/);
});

test('fewer than three zones with a default subnet: a clear error before anything is created', async () => {
  const { Subnets = [] } = await bed.ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'default-for-az', Values: ['true'] }] }));
  const keep = [...Subnets].sort((a, b) => a.AvailabilityZone!.localeCompare(b.AvailabilityZone!)).slice(0, 2);
  for (const s of Subnets) if (!keep.includes(s)) await bed.ec2.send(new DeleteSubnetCommand({ SubnetId: s.SubnetId }));
  const error = await refused(options(), /region us-east-1 has 2 availability zone\(s\) with a default subnet in vpc-\w+ \(us-east-1a, us-east-1b\); the cluster needs 3 distinct zones/);
  assert.is(error.where?.field, '--region');
});

test.run();
