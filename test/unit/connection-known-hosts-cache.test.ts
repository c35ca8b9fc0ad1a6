import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, renameSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { preferredHostKeyAlgorithms, verifyHostKey } from '../../lib/connection/host-key-policy.ts';
import { entryMatchesHost, parseKnownHosts, readKnownHosts, type KnownHostEntry } from '../../lib/connection/known-hosts.ts';

const dir = mkdtempSync(join(tmpdir(), 'ploy-known-hosts-cache-'));

function newKey(type: 'ed25519' | 'ecdsa', name: string): { part: string; blob: Buffer } {
  const file = join(dir, name);
  execFileSync('ssh-keygen', ['-q', '-t', type, '-N', '', '-C', name, '-f', file]);
  const part = readFileSync(`${file}.pub`, 'utf8').trim().split(' ').slice(0, 2).join(' ');
  return { part, blob: Buffer.from(part.split(' ')[1] ?? '', 'base64') };
}

const ed = newKey('ed25519', 'ed');
const ed2 = newKey('ed25519', 'ed2');
const ec = newKey('ecdsa', 'ec');
const hostsOf = (entries: readonly KnownHostEntry[]) => entries.map((e) => e.hosts);

test('an unchanged file is parsed once: the same entries come back', async () => {
  const file = join(dir, 'unchanged');
  writeFileSync(file, `10.0.0.1 ${ed.part}\n`);
  const first = await readKnownHosts(file);
  assert.is(await readKnownHosts(file), first);
  const [a, b] = await Promise.all([readKnownHosts(join(dir, 'unchanged')), readKnownHosts(file)]);
  assert.is(a, first);
  assert.is(b, first);
});

test('a line appended by someone else is seen on the next read', async () => {
  const file = join(dir, 'appended');
  writeFileSync(file, `10.0.1.1 ${ed.part}\n`);
  assert.equal(hostsOf(await readKnownHosts(file)), ['10.0.1.1']);
  appendFileSync(file, `10.0.1.2 ${ec.part}\n`);
  assert.equal(hostsOf(await readKnownHosts(file)), ['10.0.1.1', '10.0.1.2']);
});

test('a rewrite of the same size is seen, in place or renamed over it with the old mtime', async () => {
  const file = join(dir, 'rewritten');
  writeFileSync(file, `10.0.2.1 ${ed.part}\n`);
  const before = statSync(file);
  assert.equal((await readKnownHosts(file))[0]?.key, ed.blob);
  writeFileSync(file, `10.0.2.1 ${ed2.part}\n`);
  utimesSync(file, before.atime, before.mtime);
  assert.is(statSync(file).size, before.size);
  assert.equal((await readKnownHosts(file))[0]?.key, ed2.blob, 'in place: ctime changed');
  const replacement = join(dir, 'rewritten.new');
  writeFileSync(replacement, `10.0.2.1 ${ed.part}\n`);
  utimesSync(replacement, before.atime, before.mtime);
  renameSync(replacement, file);
  assert.equal((await readKnownHosts(file))[0]?.key, ed.blob, 'renamed: another inode');
});

test('a missing file has no entries until it is created', async () => {
  const file = join(dir, 'later');
  assert.equal(await readKnownHosts(file), []);
  writeFileSync(file, `10.0.3.1 ${ed.part}\n`);
  assert.equal(hostsOf(await readKnownHosts(file)), ['10.0.3.1']);
});

test('--accept-new-host-keys: the key ploy adds is known at once, and preferred for that host', async () => {
  const file = join(dir, 'accept');
  writeFileSync(file, `10.0.4.1 ${ed.part}\n`);
  const strict = { knownHostsFiles: [file], acceptNew: false };
  await verifyHostKey(strict, 'a', '10.0.4.1', 22, ed.blob);
  assert.is((await preferredHostKeyAlgorithms(strict, '10.0.4.2', 22))[0], 'ssh-ed25519');
  await verifyHostKey({ ...strict, acceptNew: true }, 'b', '10.0.4.2', 22, ec.blob);
  await verifyHostKey(strict, 'b', '10.0.4.2', 22, ec.blob);
  assert.is((await preferredHostKeyAlgorithms(strict, '10.0.4.2', 22))[0], 'ecdsa-sha2-nistp256');
});

/** How patterns matched before: a RegExp per pattern per lookup (OpenSSH's match_pattern). */
function matchedBefore(hosts: string, name: string): boolean {
  let matched = false;
  for (const pattern of hosts.split(',')) {
    const negated = pattern.startsWith('!');
    const body = (negated ? pattern.slice(1) : pattern)
      .toLowerCase()
      .split('')
      .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[\\^$.|+()[\]{}]/g, '\\$&')))
      .join('');
    if (new RegExp(`^${body}$`, 's').test(name.toLowerCase())) {
      if (negated) return false;
      matched = true;
    }
  }
  return matched;
}

test('literal, wildcard, negated and mixed patterns match exactly as the RegExp matcher did', () => {
  const fields = [
    '10.0.0.1',
    'Web1.Example.COM',
    '[10.0.0.1]:2222',
    'web1,10.0.0.1',
    '*.example.com,!bad.example.com',
    '10.0.0.?',
    '[10.0.0.*]:2222',
    '*',
    '!10.0.0.1,*',
    'a+b.example,(x)|y',
    '10.0.0.1*',
  ];
  const names = [
    '10.0.0.1',
    '10.0.0.11',
    '10x0x0x1',
    'web1.example.com',
    'WEB1.example.com',
    'web1',
    'a.example.com',
    'bad.example.com',
    'example.com',
    '[10.0.0.1]:2222',
    '[10.0.0.9]:2222',
    '10.0.0.1:2222',
    'a+b.example',
    'aab.example',
    '(x)|y',
    'x',
  ];
  const entries = parseKnownHosts(fields.map((f) => `${f} ${ed.part}`).join('\n'));
  assert.is(entries.length, fields.length);
  for (const entry of entries) {
    for (const name of names) {
      for (let lookup = 0; lookup < 2; lookup++) {
        assert.is(entryMatchesHost(entry, name), matchedBefore(entry.hosts, name), `${entry.hosts} against ${name}`);
      }
    }
  }
});

test('hashed entries still match by HMAC, also on a second lookup', () => {
  const file = join(dir, 'hashed');
  writeFileSync(file, `10.0.5.1 ${ed.part}\n[10.0.5.2]:2200 ${ec.part}\n`);
  execFileSync('ssh-keygen', ['-q', '-H', '-f', file], { stdio: 'ignore' });
  const [first, second] = parseKnownHosts(readFileSync(file, 'utf8'));
  assert.ok(first && second && first.hosts.startsWith('|1|'));
  for (let lookup = 0; lookup < 2; lookup++) {
    assert.ok(entryMatchesHost(first!, '10.0.5.1'));
    assert.not.ok(entryMatchesHost(first!, '10.0.5.2'));
    assert.ok(entryMatchesHost(second!, '[10.0.5.2]:2200'));
    assert.not.ok(entryMatchesHost(second!, '10.0.5.2'));
  }
});

test.run();
