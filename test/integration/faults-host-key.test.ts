/**
 * A host's key changes between two runs of the real CLI (its keys regenerated on the test bed and
 * sshd restarted): the second run refuses the host, naming it, its address, the key type and
 * fingerprint offered and those expected (as ssh-keygen prints them), and changes nothing on it,
 * even with --accept-new-host-keys.
 */
import { execFileSync } from 'node:child_process';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { beforeAll } from '../support/before-all.ts';
import { startTestbed, type Testbed } from '../testbed/bed.ts';
import { cliHome, removeHome, runCli, shown } from './faults-cli.ts';

const PLAYBOOK = 'test/fixtures/faults/playbook.ts';
const DIR = '/var/tmp/ploy-faults';
let bed: Testbed;
let home: string;

const ploy = (...args: string[]) => runCli(PLAYBOOK, ['-i', bed.inventoryPath, '--role', 'converge', ...args], { home, boundMs: 30_000 });

/** The ED25519 fingerprint in what ssh-keygen -l printed (of the key for `address`, when given). */
function ed25519Fingerprint(listing: string, address = ''): string {
  const line = listing.split('\n').find((l) => l.endsWith('(ED25519)') && l.includes(` ${address}`));
  const fingerprint = line?.split(' ')[1];
  if (!fingerprint?.startsWith('SHA256:')) throw new Error(`no ED25519 key in:\n${listing}`);
  return fingerprint;
}

beforeAll(test, async () => {
  bed = await startTestbed({ hosts: [{ name: 'web1' }, { name: 'web2' }] });
  home = cliHome(bed);
});

test.after(async () => {
  await bed?.stop();
  removeHome(home);
});

test('a changed host key is refused, naming host, address, key types and both fingerprints; the host is not touched', async () => {
  const first = await ploy();
  assert.is(first.code, 0, shown(first));
  const known = ed25519Fingerprint(execFileSync('ssh-keygen', ['-l', '-f', bed.knownHostsPath], { encoding: 'utf8' }), `${bed.host('web1').ip} `);

  await bed.sh('web1', `rm -rf ${DIR} /etc/ssh/ssh_host_*; ssh-keygen -A; systemctl restart ssh`);
  const offered = ed25519Fingerprint((await bed.sh('web1', 'ssh-keygen -l -f /etc/ssh/ssh_host_ed25519_key.pub')).stdout.trim());
  assert.is.not(offered, known);

  for (const extra of [[], ['--accept-new-host-keys']]) {
    const run = await ploy(...extra);
    assert.is(run.code, 4, shown(run));
    const line = /^unreachable: \[web1\] .*$/m.exec(run.stdout)?.[0] ?? '';
    const ip = bed.host('web1').ip;
    assert.ok(line.includes(`host key for web1 (${ip}) has CHANGED`), shown(run));
    assert.ok(line.includes(`the host offered ssh-ed25519 ${offered}`), line);
    assert.ok(new RegExp(`expects .*ssh-ed25519 ${known.replace(/[+/]/g, '\\$&')}`).test(line), line);
    assert.match(run.stdout, /^web2 +: ok=3 +changed=0 +unreachable=0/m, 'the other host went on');
    assert.is((await bed.sh('web1', `test -e ${DIR} && echo touched || echo untouched`)).stdout.trim(), 'untouched');
  }
});

test.run();
