import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fingerprintOf } from '../../lib/connection/fingerprint.ts';
import { parseKnownHosts } from '../../lib/connection/known-hosts.ts';
import { ConnectionPool } from '../../lib/connection/pool.ts';
import { HostKeyError } from '../../lib/errors.ts';
import { beforeAll } from '../support/before-all.ts';
import { startTestbed, type Testbed } from '../testbed/bed.ts';
import { bedSpec, failure } from '../support/bed-connection.ts';

let bed: Testbed;
let ip: string;

beforeAll(test, async () => {
  bed = await startTestbed({ hosts: [{ name: 'k1' }] });
  ip = bed.host('k1').ip;
});

test.after(async () => {
  await bed?.stop();
});

/** The bed's recorded keys for k1, by type. */
function bedKeys(): Map<string, Buffer> {
  return new Map(
    parseKnownHosts(readFileSync(bed.knownHostsPath, 'utf8'))
      .filter((e) => e.hosts === ip)
      .map((e) => [e.keyType, e.key]),
  );
}

function knownHostsFile(name: string, text: string): string {
  const file = join(bed.dir, name);
  writeFileSync(file, text);
  return file;
}

async function hostname(pool: ConnectionPool): Promise<string> {
  try {
    return (await (await pool.get(bedSpec(bed, 'k1'))).exec('hostname')).stdout.trim();
  } finally {
    await pool.closeAll();
  }
}

test('an unknown host key is refused, naming host, address and the key offered; the file is left alone', async () => {
  const file = knownHostsFile('empty_known_hosts', '');
  const { error } = await failure(() => new ConnectionPool({ knownHostsFile: file }).get(bedSpec(bed, 'k1')));
  assert.instance(error, HostKeyError);
  assert.match(error.message, `k1: host key for k1 (${ip}) is not known; verify it and add it to known_hosts`);
  assert.match(error.message, 'or run with --accept-new-host-keys');
  assert.match(error.message, `ssh-ed25519 ${fingerprintOf(bedKeys().get('ssh-ed25519') ?? Buffer.alloc(0))}`);
  assert.is(readFileSync(file, 'utf8'), '');
});

test('with acceptNew an unknown key is appended, and then known without acceptNew', async () => {
  const file = knownHostsFile('accept_known_hosts', '# start\n');
  assert.is(await hostname(new ConnectionPool({ knownHostsFile: file, acceptNewHostKeys: true })), 'k1');
  const added = parseKnownHosts(readFileSync(file, 'utf8'));
  assert.is(added.length, 1);
  assert.is(added[0]?.hosts, ip);
  assert.ok(added[0] && bedKeys().get(added[0].keyType)?.equals(added[0].key), "the appended key is the host's real key");
  assert.match(execFileSync('ssh-keygen', ['-F', ip, '-f', file], { encoding: 'utf8' }), added[0]?.keyType ?? '?');
  assert.is(await hostname(new ConnectionPool({ knownHostsFile: file })), 'k1');
  assert.is(parseKnownHosts(readFileSync(file, 'utf8')).length, 1, 'nothing appended the second time');
});

test('a changed key is refused even with acceptNew, naming the offered and the expected fingerprints', async () => {
  const impostor = join(bed.dir, 'impostor');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', impostor]);
  const fake = readFileSync(`${impostor}.pub`, 'utf8').split(' ');
  const file = knownHostsFile('changed_known_hosts', `${ip} ${fake[0]} ${fake[1]}\n`);
  const { error } = await failure(() => new ConnectionPool({ knownHostsFile: file, acceptNewHostKeys: true }).get(bedSpec(bed, 'k1')));
  assert.instance(error, HostKeyError);
  const offered = fingerprintOf(bedKeys().get('ssh-ed25519') ?? Buffer.alloc(0));
  const expected = fingerprintOf(Buffer.from(fake[1] ?? '', 'base64'));
  assert.match(error.message, `host key for k1 (${ip}) has CHANGED`);
  assert.match(error.message, `the host offered ssh-ed25519 ${offered}`);
  assert.match(error.message, `expects ssh-ed25519 ${expected} (line 1)`);
  assert.is(readFileSync(file, 'utf8').split('\n').filter(Boolean).length, 1, 'known_hosts untouched');
});

test('a host known only by its RSA key is accepted: the known key type is negotiated first', async () => {
  const rsa = bedKeys().get('ssh-rsa');
  assert.ok(rsa);
  const file = knownHostsFile('rsa_known_hosts', `${ip} ssh-rsa ${rsa?.toString('base64')}\n`);
  assert.is(await hostname(new ConnectionPool({ knownHostsFile: file })), 'k1');
});

test('hashed known_hosts (ssh-keygen -H) work as they do for ssh', async () => {
  const file = knownHostsFile('hashed_known_hosts', readFileSync(bed.knownHostsPath, 'utf8'));
  execFileSync('ssh-keygen', ['-q', '-H', '-f', file], { stdio: 'ignore' });
  assert.not.match(readFileSync(file, 'utf8'), ip);
  assert.is(await hostname(new ConnectionPool({ knownHostsFile: file })), 'k1');
});

test('a @revoked key is refused', async () => {
  const ed = bedKeys().get('ssh-ed25519');
  const file = knownHostsFile('revoked_known_hosts', `@revoked * ssh-ed25519 ${ed?.toString('base64')}\n${ip} ssh-ed25519 ${ed?.toString('base64')}\n`);
  const { error } = await failure(() => new ConnectionPool({ knownHostsFile: file }).get(bedSpec(bed, 'k1')));
  assert.instance(error, HostKeyError);
  assert.match(error.message, 'is marked @revoked');
});

test.run();
