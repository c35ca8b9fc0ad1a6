import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HostKeyError } from '../../lib/errors.ts';
import { describeKey, fingerprintOf, keyTypeOf } from '../../lib/connection/fingerprint.ts';
import { preferredHostKeyAlgorithms, verifyHostKey } from '../../lib/connection/host-key-policy.ts';
import { appendKnownHost, checkHostKey, knownHostName, parseKnownHosts } from '../../lib/connection/known-hosts.ts';

const dir = mkdtempSync(join(tmpdir(), 'ploy-known-hosts-'));

/** A fresh key pair made by ssh-keygen: its public line and raw blob. */
function newKey(type: 'ed25519' | 'ecdsa' | 'rsa', name: string): { line: string; blob: Buffer; file: string } {
  const file = join(dir, name);
  execFileSync('ssh-keygen', ['-q', '-t', type, ...(type === 'rsa' ? ['-b', '2048'] : []), '-N', '', '-C', name, '-f', file]);
  const line = readFileSync(`${file}.pub`, 'utf8').trim();
  return { line, blob: Buffer.from(line.split(' ')[1] ?? '', 'base64'), file: `${file}.pub` };
}

const ed = newKey('ed25519', 'ed');
const ec = newKey('ecdsa', 'ec');
const rsa = newKey('rsa', 'rsa');
const other = newKey('ed25519', 'other');
const keyPart = (k: { line: string }) => k.line.split(' ').slice(0, 2).join(' ');

test('fingerprints and key types match ssh-keygen -lf', () => {
  for (const key of [ed, ec, rsa]) {
    const [, , fingerprint, , type] = /^(\d+) (SHA256:\S+) (.*) \((\w+)\)$/.exec(execFileSync('ssh-keygen', ['-lf', key.file], { encoding: 'utf8' }).trim()) ?? [];
    assert.is(fingerprintOf(key.blob), fingerprint);
    assert.is(keyTypeOf(key.blob), key.line.split(' ')[0]);
    assert.ok(type && keyTypeOf(key.blob).toUpperCase().includes(type), type);
  }
  assert.is(describeKey(ed.blob), `ssh-ed25519 ${fingerprintOf(ed.blob)}`);
});

test('known host names: plain on port 22, [host]:port otherwise, lower case', () => {
  assert.is(knownHostName('Web1.Example', 22), 'web1.example');
  assert.is(knownHostName('10.0.0.1', 2222), '[10.0.0.1]:2222');
});

test('plain entries, comma lists, wildcards and negations', () => {
  const entries = parseKnownHosts(
    ['# comment', `web1,10.0.0.1 ${keyPart(ed)}`, `[10.0.0.1]:2222 ${keyPart(ec)}`, `*.example.com,!bad.example.com ${keyPart(rsa)}`, 'garbage line', `10.0.0.9 ssh-ed25519 not!base64`, ''].join('\n'),
  );
  assert.is(entries.length, 3);
  assert.equal(checkHostKey(entries, '10.0.0.1', ed.blob), { status: 'known' });
  assert.equal(checkHostKey(entries, 'web1', ed.blob), { status: 'known' });
  assert.equal(checkHostKey(entries, '[10.0.0.1]:2222', ec.blob), { status: 'known' });
  assert.is(checkHostKey(entries, '[10.0.0.1]:2222', ed.blob).status, 'changed', 'port 2222 has its own key');
  assert.equal(checkHostKey(entries, 'a.example.com', rsa.blob), { status: 'known' });
  assert.equal(checkHostKey(entries, 'bad.example.com', rsa.blob), { status: 'unknown' });
  assert.equal(checkHostKey(entries, '10.0.0.2', ed.blob), { status: 'unknown' });
  const changed = checkHostKey(entries, '10.0.0.1', other.blob);
  assert.is(changed.status, 'changed');
  if (changed.status === 'changed')
    assert.equal(
      changed.expected.map((e) => e.line),
      [2],
    );
});

test('hashed entries (ssh-keygen -H) match by HMAC, for both port forms', () => {
  const file = join(dir, 'hashed_known_hosts');
  writeFileSync(file, `10.1.1.1 ${keyPart(ed)}\n[10.1.1.2]:2200 ${keyPart(ec)}\n`);
  execFileSync('ssh-keygen', ['-q', '-H', '-f', file], { stdio: 'ignore' });
  const text = readFileSync(file, 'utf8');
  assert.not.match(text, /10\.1\.1/);
  const entries = parseKnownHosts(text);
  assert.ok(entries.every((e) => e.hosts.startsWith('|1|')));
  assert.equal(checkHostKey(entries, '10.1.1.1', ed.blob), { status: 'known' });
  assert.equal(checkHostKey(entries, '[10.1.1.2]:2200', ec.blob), { status: 'known' });
  assert.equal(checkHostKey(entries, '10.1.1.2', ec.blob), { status: 'unknown' });
  assert.is(checkHostKey(entries, '10.1.1.1', other.blob).status, 'changed');
});

test('@revoked keys are refused wherever listed; @cert-authority lines are ignored', () => {
  const entries = parseKnownHosts(`@revoked * ${keyPart(other)}\n10.2.0.1 ${keyPart(other)}\n@cert-authority *.corp ${keyPart(ed)}\n@unknown-marker x ${keyPart(ed)}`);
  assert.equal(checkHostKey(entries, '10.2.0.1', other.blob), { status: 'revoked', line: 1 });
  assert.equal(checkHostKey(entries, 'a.corp', ed.blob), { status: 'unknown' });
});

test('verifyHostKey: unknown is refused with the accept-new hint, changed names both fingerprints', async () => {
  const file = join(dir, 'verify_known_hosts');
  writeFileSync(file, `10.3.0.1 ${keyPart(ed)}\n10.3.0.1 ${keyPart(rsa)}\n`);
  const policy = { knownHostsFiles: [file], acceptNew: false };
  await verifyHostKey(policy, 'web1', '10.3.0.1', 22, ed.blob);
  try {
    await verifyHostKey(policy, 'web2', '10.3.0.2', 22, ed.blob);
    assert.unreachable();
  } catch (error) {
    assert.instance(error, HostKeyError);
    assert.match((error as Error).message, 'web2: host key for web2 (10.3.0.2) is not known; verify it and add it to known_hosts');
    assert.match((error as Error).message, '--accept-new-host-keys');
    assert.match((error as Error).message, fingerprintOf(ed.blob));
  }
  try {
    await verifyHostKey({ ...policy, acceptNew: true }, 'web1', '10.3.0.1', 22, other.blob);
    assert.unreachable();
  } catch (error) {
    assert.instance(error, HostKeyError);
    const message = (error as Error).message;
    assert.match(message, 'host key for web1 (10.3.0.1) has CHANGED');
    assert.match(message, `ssh-ed25519 ${fingerprintOf(other.blob)}`);
    assert.match(message, `ssh-ed25519 ${fingerprintOf(ed.blob)} (line 1)`);
    assert.match(message, `ssh-rsa ${fingerprintOf(rsa.blob)} (line 2)`);
  }
});

test('acceptNew appends the key once, in a form ssh-keygen -F finds; concurrent accepts do not duplicate', async () => {
  const file = join(dir, 'sub', 'new_known_hosts');
  const policy = { knownHostsFiles: [file], acceptNew: true };
  await Promise.all([verifyHostKey(policy, 'a', '10.4.0.1', 22, ed.blob), verifyHostKey(policy, 'a', '10.4.0.1', 22, ed.blob), verifyHostKey(policy, 'b', '10.4.0.2', 2222, ec.blob)]);
  const lines = readFileSync(file, 'utf8').trim().split('\n');
  assert.equal(lines.sort(), [`10.4.0.1 ${keyPart(ed)}`, `[10.4.0.2]:2222 ${keyPart(ec)}`].sort());
  assert.match(execFileSync('ssh-keygen', ['-F', '[10.4.0.2]:2222', '-f', file], { encoding: 'utf8' }), keyPart(ec));
  await verifyHostKey({ ...policy, acceptNew: false }, 'a', '10.4.0.1', 22, ed.blob);
});

test('several known_hosts files: every one is checked, a new key goes to the first, messages name the file', async () => {
  const first = join(dir, 'multi_first');
  const second = join(dir, 'multi_second');
  writeFileSync(first, '');
  writeFileSync(second, `10.7.0.1 ${keyPart(ed)}\n`);
  const policy = { knownHostsFiles: [first, second], acceptNew: false };
  await verifyHostKey(policy, 'a', '10.7.0.1', 22, ed.blob);
  try {
    await verifyHostKey({ ...policy, acceptNew: true }, 'a', '10.7.0.1', 22, other.blob);
    assert.unreachable();
  } catch (error) {
    assert.instance(error, HostKeyError);
    assert.match((error as Error).message, `${first}, ${second} expects ssh-ed25519 ${fingerprintOf(ed.blob)} (${second} line 1)`);
  }
  await verifyHostKey({ ...policy, acceptNew: true }, 'b', '10.7.0.2', 22, ec.blob);
  assert.is(readFileSync(first, 'utf8'), `10.7.0.2 ${keyPart(ec)}\n`);
  assert.is(readFileSync(second, 'utf8'), `10.7.0.1 ${keyPart(ed)}\n`);
  assert.equal((await preferredHostKeyAlgorithms(policy, '10.7.0.2', 22))[0], 'ecdsa-sha2-nistp256');
});

test('/dev/null as the known_hosts file: every key is unknown', async () => {
  try {
    await verifyHostKey({ knownHostsFiles: ['/dev/null'], acceptNew: false }, 'a', '10.8.0.1', 22, ed.blob);
    assert.unreachable();
  } catch (error) {
    assert.instance(error, HostKeyError);
    assert.match((error as Error).message, 'is not known; verify it and add it to known_hosts (/dev/null)');
  }
});

test('appending to a file without a final newline starts a new line', async () => {
  const file = join(dir, 'no_newline');
  writeFileSync(file, `10.5.0.1 ${keyPart(ed)}`);
  await appendKnownHost(file, '10.5.0.2', ec.blob);
  assert.equal(
    parseKnownHosts(readFileSync(file, 'utf8')).map((e) => e.hosts),
    ['10.5.0.1', '10.5.0.2'],
  );
});

test('host key algorithms prefer the types known for the host', async () => {
  const file = join(dir, 'algos');
  writeFileSync(file, `10.6.0.1 ${keyPart(rsa)}\n`);
  const policy = { knownHostsFiles: [file], acceptNew: false };
  const algos = await preferredHostKeyAlgorithms(policy, '10.6.0.1', 22);
  assert.equal(algos.slice(0, 4), ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa', 'ssh-ed25519']);
  assert.is(new Set(algos).size, algos.length);
  assert.is((await preferredHostKeyAlgorithms(policy, '10.6.0.2', 22))[0], 'ssh-ed25519');
});

test.run();
