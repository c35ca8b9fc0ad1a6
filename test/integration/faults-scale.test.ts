/**
 * Many hosts and many connections at once, on a 30-host test bed (a bastion, 27 public hosts and
 * 2 private hosts behind the bastion):
 *  - the real CLI runs a play on all 30 hosts with --forks 30 without a single error;
 *  - 50 connections through the one bastion respect OpenSSH's MaxStartups (10:30:100: beyond 10
 *    handshakes in flight sshd starts dropping new connections at random). A control first opens
 *    50 handshakes at once with plain ssh2 and shows sshd dropping some; then the runner opens 50
 *    connections through the same bastion (50 inventory names for the 2 private hosts): all
 *    succeed, the pool never had more than 8 handshakes in flight, and sshd logged no throttling.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client, type ClientChannel } from 'ssh2';
import { stringify } from 'yaml';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ConnectionPool } from '../../lib/connection/pool.ts';
import { connectionSpecFor } from '../../lib/connection/spec.ts';
import { loadInventory } from '../../lib/inventory/load.ts';
import { definePlay, defineRole, type Role } from '../../lib/role.ts';
import type { Reporter, RunEvent } from '../../lib/runner/events.ts';
import { runPlay } from '../../lib/runner/run-play.ts';
import { beforeAll } from '../support/before-all.ts';
import { startTestbed, type Testbed } from '../testbed/bed.ts';
import { cliHome, removeHome, ROOT, runCli, shown } from './faults-cli.ts';

const PRIVATE = ['priv1', 'priv2'];
const CONNECTIONS = 50;
let bed: Testbed;
let home: string;

/**
 * Each time sshd starts dropping connections past MaxStartups it logs "beginning MaxStartups
 * throttling" (and the first "drop connection ... past MaxStartups"); the episode ends at the next
 * connection it accepts. These lines from the private hosts' journals so far.
 */
async function throttlingLog(): Promise<string[]> {
  const grep = `grep -E 'beginning MaxStartups throttling|past MaxStartups' || true`;
  const logs = await Promise.all(PRIVATE.map((host) => bed.sh(host, `journalctl -q -u ssh --no-pager | ${grep}`)));
  return logs.flatMap((log) => log.stdout.split('\n').filter((line) => line.trim() !== ''));
}

function connect(options: { sock?: ClientChannel; host?: string }): Promise<Client> {
  return new Promise((resolve, reject) => {
    const client = new Client();
    client.once('ready', () => resolve(client));
    client.once('error', reject);
    client.connect({
      ...(options.sock ? { sock: options.sock } : { host: options.host, port: 22 }),
      username: 'root',
      privateKey: readFileSync(bed.keyPath),
      readyTimeout: 20_000,
      hostVerifier: () => true,
    });
  });
}

function forwardOut(via: Client, address: string): Promise<ClientChannel> {
  return new Promise((resolve, reject) => via.forwardOut('127.0.0.1', 0, address, 22, (error, stream) => (error ? reject(error) : resolve(stream))));
}

beforeAll(test, async () => {
  const started = Date.now();
  bed = await startTestbed({
    hosts: [{ name: 'bastion' }, ...Array.from({ length: 27 }, (_, i) => ({ name: `web${i + 1}` })), ...PRIVATE.map((name) => ({ name, network: 'private' as const }))],
    bastion: 'bastion',
  });
  console.log(`  (30-host bed up in ${((Date.now() - started) / 1000).toFixed(1)} s)`);
  home = cliHome(bed);
});

test.after(async () => {
  await bed?.stop();
  removeHome(home);
});

test('a play on 30 hosts with --forks 30 completes without errors', async () => {
  const run = await runCli('test/fixtures/faults/playbook.ts', ['-i', bed.inventoryPath, '--role', 'converge', '-f', '30'], { home, boundMs: 120_000 });
  assert.is(run.code, 0, shown(run));
  const recaps = run.stdout.split('\n').filter((line) => / : ok=/.test(line));
  assert.is(recaps.length, 30, shown(run));
  for (const line of recaps) assert.match(line, /: ok=3 +changed=3 +unreachable=0 failed=0 skipped=0/, line);
  console.log(`  (30 hosts, forks 30: ${(run.ms / 1000).toFixed(1)} s including the CLI's start)`);
});

test(`control: ${CONNECTIONS} SSH handshakes at once through the bastion, unthrottled, make sshd drop connections`, async () => {
  const before = (await throttlingLog()).length;
  const bastion = await connect({ host: bed.host('bastion').ip });
  try {
    const attempts = await Promise.allSettled(Array.from({ length: CONNECTIONS }, async (_, i) => connect({ sock: await forwardOut(bastion, bed.host(PRIVATE[i % PRIVATE.length] as string).ip) })));
    const failed = attempts.filter((a) => a.status === 'rejected');
    for (const a of attempts) if (a.status === 'fulfilled') a.value.end();
    assert.ok(failed.length > 0, 'sshd dropped none: this control no longer shows the limit matters');
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.ok((await throttlingLog()).length > before, 'sshd logged its MaxStartups throttling');
  } finally {
    bastion.end();
  }
});

test(`${CONNECTIONS} connections through one jump host with the runner: all succeed, at most 8 handshakes in flight, nothing dropped`, async () => {
  const hosts: Record<string, Record<string, string>> = { bastion: { ansible_host: bed.host('bastion').ip } };
  for (let i = 1; i <= CONNECTIONS; i++) {
    hosts[`conn${String(i).padStart(2, '0')}`] = { ansible_host: bed.host(PRIVATE[i % PRIVATE.length] as string).ip, ploy_jump_host: 'bastion' };
  }
  const inventoryPath = join(bed.dir, 'connections.yml');
  writeFileSync(inventoryPath, stringify({ all: { vars: { ansible_user: 'root', ansible_ssh_private_key_file: bed.keyPath }, hosts } }));
  const inventory = await loadInventory(inventoryPath);
  const pool = new ConnectionPool({ knownHostsFile: bed.knownHostsPath, connectTimeoutMs: 20_000 });
  const role = defineRole({
    name: 'who',
    hosts: 'conn*',
    defaults: {},
    async run(t) {
      await t.command('hostname', { cmd: 'hostname', readOnly: true });
    },
  });
  const events: RunEvent[] = [];
  const reporter: Reporter = { emit: (event) => void events.push(event), close: () => {} };
  const before = await throttlingLog();
  const summary = await runPlay(
    definePlay({ name: 'connections', roles: [role as Role] }),
    { inventory, check: false, diff: false, forks: CONNECTIONS, extraVars: {}, projectDir: ROOT, connections: pool },
    reporter,
  );
  const problems = events.filter((e) => e.type === 'host-unreachable' || e.type === 'host-failed').map((e) => JSON.stringify(e));
  assert.is(summary.exitCode, 0, problems.join('\n'));
  assert.is(Object.values(summary.stats).filter((s) => s.ok === 1).length, CONNECTIONS);
  const bastionSpec = connectionSpecFor(inventory, 'bastion', inventory.host('bastion').vars);
  const peak = pool.peakHandshakesThrough(bastionSpec);
  assert.ok(peak >= 2 && peak <= 8, `handshakes in flight through the bastion peaked at ${peak}`);
  assert.equal(await throttlingLog(), before, 'sshd on the private hosts throttled nothing');
});

test.run();
