/**
 * Hosts that stop answering, through the real CLI on the test bed: sshd stopped mid-run, a host
 * gone before the run, a frozen sshd, a network link cut mid-command, a command that runs too
 * long, and the jump host down. Each run is bounded (a hang fails the test) and must name the
 * host and the reason; the other hosts finish, and a re-run once the host is back converges.
 */
import { execFileSync } from 'node:child_process';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { beforeAll } from '../support/before-all.ts';
import { startTestbed, type Testbed } from '../testbed/bed.ts';
import { cliHome, removeHome, runCli, shown, startCli, waitUntil, type CliRun } from './faults-cli.ts';

const PLAYBOOK = 'test/fixtures/faults/playbook.ts';
const DIR = '/var/tmp/ploy-faults';
let bed: Testbed;
let home: string;

function ploy(args: string[], boundMs?: number): Promise<CliRun> {
  return runCli(PLAYBOOK, ['-i', bed.inventoryPath, '--role', 'converge', ...args], { home, ...(boundMs ? { boundMs } : {}) });
}

async function hasFile(host: string, path: string): Promise<boolean> {
  return (await bed.sh(host, `test -e ${path}`)).code === 0;
}

/** The recap line of a host: `web1 : ok=3 changed=1 unreachable=0 failed=0 skipped=0  (1.2s)`. */
function recap(run: CliRun, host: string): string {
  return new RegExp(`^${host} +: (.*)$`, 'm').exec(run.stdout)?.[1] ?? `(no recap line for ${host})`;
}

beforeAll(test, async () => {
  bed = await startTestbed({
    hosts: [{ name: 'bastion' }, { name: 'web1' }, { name: 'web2' }, { name: 'web3' }, { name: 'priv1', network: 'private' }, { name: 'priv2', network: 'private' }],
    bastion: 'bastion',
  });
  home = cliHome(bed);
});

test.after(async () => {
  await bed?.stop();
  removeHome(home);
});

test('sshd stopped mid-run: that host is unreachable (exit 4), the others finish; once sshd is back a re-run converges', async () => {
  const running = startCli(PLAYBOOK, ['-i', bed.inventoryPath, '--role', 'converge', '-e', 'pause_on=web2', '-e', 'pause_seconds=40'], { home });
  await waitUntil('web2 is in its Pause task', () => hasFile('web2', `${DIR}/paused`));
  await bed.sh('web2', 'systemctl stop ssh; pkill -x sshd; true');
  const run = await running.done;

  assert.is(run.code, 4, shown(run));
  assert.ok(run.ms < 30_000, `the run did not wait for the 40 s pause: ${run.ms} ms`);
  assert.match(run.stdout, /^unreachable: \[web2\] Pause => connection closed by the remote end$/m, shown(run));
  assert.match(recap(run, 'web2'), /unreachable=1 failed=0/);
  for (const host of ['bastion', 'web1', 'web3', 'priv1', 'priv2']) {
    assert.match(recap(run, host), /^ok=3 +changed=3 +unreachable=0 failed=0/, `${host} finished: ${recap(run, host)}`);
    assert.ok(await hasFile(host, `${DIR}/second`), `${host} got its second file`);
  }
  assert.not.ok(await hasFile('web2', `${DIR}/second`), 'web2 stopped where its connection broke');

  await bed.sh('web2', 'systemctl start ssh');
  const again = await ploy([]);
  assert.is(again.code, 0, shown(again));
  assert.match(recap(again, 'web2'), /^ok=3 +changed=1 +unreachable=0 failed=0/, 'web2 catches up with its second file');
  for (const host of ['bastion', 'web1', 'web3', 'priv1', 'priv2']) assert.match(recap(again, host), /^ok=3 +changed=0 /, `${host} was already converged`);
  assert.is((await bed.sh('web2', `cat ${DIR}/second`)).stdout, 'second on web2\n');
});

test('a host gone before the run and a frozen sshd: unreachable within --connect-timeout, each with its reason', async () => {
  await bed.stopHost('web3');
  await bed.sh('web1', 'kill -STOP $(cat /run/sshd.pid)'); // port 22 still accepts TCP, but no SSH banner ever comes
  try {
    const run = await ploy(['--connect-timeout', '3', '-l', 'web1,web2,web3'], 30_000);
    assert.is(run.code, 4, shown(run));
    const ip = (host: string) => bed.host(host).ip.replace(/\./g, '\\.');
    assert.match(run.stdout, new RegExp(`^unreachable: \\[web1\\] Marker directory => timed out after 3000 ms connecting to root@${ip('web1')}:22$`, 'm'), shown(run));
    assert.match(run.stdout, new RegExp(`^unreachable: \\[web3\\] Marker directory => cannot connect to root@${ip('web3')}:22: .+$`, 'm'), shown(run));
    assert.match(recap(run, 'web2'), /^ok=3 +changed=0 +unreachable=0/);
    assert.ok(run.ms < 20_000, `bounded by the connect timeout: ${run.ms} ms`);
  } finally {
    await bed.sh('web1', 'kill -CONT $(cat /run/sshd.pid)');
    await bed.startHost('web3');
  }
});

test('a network link cut mid-command: keepalive finds the dead connection within --connect-timeout, no hang', async () => {
  const { netns } = bed.host('web1');
  const running = startCli(PLAYBOOK, ['-i', bed.inventoryPath, '--role', 'converge', '--connect-timeout', '4', '-l', 'web1,web2', '-e', 'pause_on=web1', '-e', 'pause_seconds=60'], {
    home,
    boundMs: 45_000,
  });
  await waitUntil('web1 is in its Pause task', () => hasFile('web1', `${DIR}/paused`));
  await bed.sh('web1', `rm -f ${DIR}/paused`);
  const cut = Date.now();
  execFileSync('ip', ['-n', netns, 'link', 'set', 'eth0', 'down']);
  try {
    const run = await running.done;
    assert.is(run.code, 4, shown(run));
    assert.match(run.stdout, /^unreachable: \[web1\] Pause => connection lost: no answer to keepalive probes for 4 s \(the host or the network is down\)$/m, shown(run));
    const detectedAfter = Date.now() - cut;
    assert.ok(detectedAfter < 15_000, `found within a few seconds of the 4 s connect timeout, not the 60 s pause: ${detectedAfter} ms`);
    assert.match(recap(run, 'web2'), /^ok=3 .*unreachable=0 failed=0/);
  } finally {
    execFileSync('ip', ['-n', netns, 'link', 'set', 'eth0', 'up']);
  }
  await waitUntil('web1 answers again', async () => (await ploy(['-l', 'web1', '--connect-timeout', '3'], 30_000)).code === 0, 30_000, 500);
});

test('--command-timeout stops a command that runs too long, on the host: failed (exit 2), the timeout named', async () => {
  const run = await ploy(['--command-timeout', '2', '-l', 'web2', '-e', 'pause_on=web2', '-e', 'pause_seconds=60'], 30_000);
  assert.is(run.code, 2, shown(run));
  assert.match(run.stdout, /^failed: \[web2\] Pause => command timed out: .*\n +timed out after 2000 ms$/m, shown(run));
  assert.ok(run.ms < 20_000, `${run.ms} ms`);
  assert.is((await bed.sh('web2', 'pgrep -fx "sleep 60" || true')).stdout, '', 'the host killed the command');
});

test('the jump host down: every host behind it is unreachable naming the jump host; the others finish', async () => {
  await bed.stopHost('bastion');
  try {
    const run = await ploy(['--connect-timeout', '3'], 30_000);
    assert.is(run.code, 4, shown(run));
    for (const host of ['priv1', 'priv2']) {
      assert.match(run.stdout, new RegExp(`^unreachable: \\[${host}\\] Marker directory => unreachable through jump host bastion: .+$`, 'm'), shown(run));
      assert.match(recap(run, host), /unreachable=1/);
    }
    for (const host of ['web1', 'web2', 'web3']) assert.match(recap(run, host), /^ok=3 .*unreachable=0 failed=0/, `${host}: ${recap(run, host)}`);
    assert.ok(run.ms < 20_000, `${run.ms} ms`);
  } finally {
    await bed.startHost('bastion');
  }
});

test.run();
