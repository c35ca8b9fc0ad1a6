/**
 * The project module of examples/ini-file on a real test-bed host, called as t.iniFile from a
 * role (and from its handler) through runPlay: check mode with --diff predicts and changes
 * nothing, a run converges, a second run is ok, drift by hand is predicted then repaired, its
 * probe rides in the batch of the task before it, and a Secret value never shows.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { journald } from '../../examples/ini-file/role.ts';
import { defineRole } from '../../examples/ini-file/project.ts';
import { ConnectionPool } from '../../lib/connection/pool.ts';
import { loadInventory } from '../../lib/inventory/load.ts';
import type { Inventory } from '../../lib/inventory/types.ts';
import { definePlay, type Play } from '../../lib/role.ts';
import { runPlay, type RunOptions } from '../../lib/runner/run-play.ts';
import { secret } from '../../lib/secret.ts';
import { beforeAll } from '../support/before-all.ts';
import { ObservedPool, Recorder } from '../support/observed-run.ts';
import { startTestbed, type Testbed } from '../testbed/bed.ts';

let bed: Testbed;
let inventory: Inventory;

const HOST = 'ini1';
const CONF = '/etc/ini-demo/app.ini';
const EXTRA = '/etc/ini-demo/extra.ini';
const PASSWORD = 'ini-s3cret-password';

const app = defineRole<{ port: number }, 'record reload'>({
  name: 'app',
  hosts: 'all',
  defaults: { port: 8080 },
  handlers: {
    'record reload': async (t) => {
      await t.iniFile('record the reload', { path: '/etc/ini-demo/state.ini', section: 'handler', option: 'reloaded', value: 'yes' });
    },
  },
  async run(t, vars) {
    await t.iniFile('port', { path: CONF, section: 'server', option: 'port', value: vars.port, mode: '0640' }, { notify: 'record reload' });
    await t.iniFile('password', { path: CONF, section: 'db', option: 'password', value: secret(PASSWORD) }, { notify: 'record reload' });
    await t.iniFile('no legacy section', { path: EXTRA, section: 'legacy', state: 'absent' });
  },
});

const play: Play = definePlay({ name: 'ini', roles: [app] });
const WANT = `[server]\nport = 8080\n\n[db]\npassword = ${PASSWORD}\n`;

function options(extra: Partial<RunOptions> = {}): RunOptions {
  const pool = new ObservedPool(new ConnectionPool({ knownHostsFile: bed.knownHostsPath, connectTimeoutMs: 5000 }));
  return { inventory, check: false, diff: false, forks: 10, extraVars: {}, projectDir: bed.dir, connections: pool, ...extra };
}

async function run(extra: Partial<RunOptions> = {}, which: Play = play): Promise<Recorder> {
  const recorder = new Recorder();
  const summary = await runPlay(which, options(extra), recorder);
  assert.is(recorder.problems(), '');
  assert.is(summary.exitCode, 0);
  assert.not.ok(JSON.stringify(recorder.events).includes(PASSWORD), 'the Secret value is masked in every event');
  return recorder;
}

const sh = async (command: string): Promise<string> => (await bed.sh(HOST, command)).stdout;
const statuses = (recorder: Recorder): Record<string, string> => Object.fromEntries(recorder.ends().map((e) => [e.task, e.result.status]));

beforeAll(test, async () => {
  bed = await startTestbed({ hosts: [{ name: HOST }] });
  inventory = await loadInventory(bed.inventoryPath);
});
test.after(() => bed?.stop());

test('check mode with --diff predicts every change, shows the diff, masks the Secret, and touches nothing', async () => {
  const recorder = await run({ check: true, diff: true });
  assert.equal(statuses(recorder), { port: 'changed', password: 'changed', 'no legacy section': 'ok', 'record the reload': 'changed' });
  const port = recorder.ends().find((e) => e.task === 'port');
  assert.match(port?.result.diff ?? '', '+[server]\n+port = 8080\n');
  assert.equal(port?.result.changes, [`create ${CONF} (21 bytes, mode 0640): section and option added`]);
  assert.match(recorder.ends().find((e) => e.task === 'password')?.result.diff ?? '', '+password = ***');
  assert.is(await sh('test -e /etc/ini-demo && echo present || echo absent'), 'absent\n');
});

test('a run converges (the handler, which calls t.iniFile too, runs once); a second run is all ok', async () => {
  const first = await run();
  assert.equal(statuses(first), { port: 'changed', password: 'changed', 'no legacy section': 'ok', 'record the reload': 'changed' });
  assert.is(await sh(`cat ${CONF}`), WANT);
  assert.is(await sh(`stat -c %a ${CONF}`), '640\n');
  assert.is(await sh('cat /etc/ini-demo/state.ini'), '[handler]\nreloaded = yes\n');
  const second = await run();
  assert.equal(statuses(second), { port: 'ok', password: 'ok', 'no legacy section': 'ok' });
  // The password task probes the same file as the port task, so only the third rides in the batch.
  const batched = second
    .commands(HOST)
    .filter((c) => c.batched)
    .map((c) => c.command);
  assert.ok(
    batched.some((command) => command.includes(EXTRA)),
    "the third task's probe was answered from the batch sent with the first",
  );
});

test('drift by hand: check mode shows it as a diff without repairing it; the next run repairs it and keeps the rest', async () => {
  await sh(`sed -i 's/^port = 8080/port = 9999/' ${CONF} && printf '[legacy]\\nold = 1\\n' > ${EXTRA}`);
  const check = await run({ check: true, diff: true });
  assert.equal(statuses(check), { port: 'changed', password: 'ok', 'no legacy section': 'changed', 'record the reload': 'ok' });
  // The file holds a Secret, so the lines going out are hidden too (they may hold an older one).
  assert.match(check.ends().find((e) => e.task === 'port')?.result.diff ?? '', '-*** (old line hidden: this file holds secrets)\n+port = 8080\n');
  assert.match(check.ends().find((e) => e.task === 'no legacy section')?.result.diff ?? '', '-[legacy]\n-old = 1\n');
  assert.match(await sh(`cat ${CONF}`), 'port = 9999');
  assert.is(await sh(`cat ${EXTRA}`), '[legacy]\nold = 1\n');
  await run();
  assert.is(await sh(`cat ${CONF}`), WANT);
  assert.is(await sh(`cat ${EXTRA}`), '');
});

test("the example's journald role in check mode: both drop-in options predicted, the restart handler too, nothing written", async () => {
  const recorder = await run({ check: true, diff: true }, definePlay({ name: 'journald', roles: [journald] }));
  assert.equal(statuses(recorder), { 'journal disk cap': 'changed', 'journal free space': 'changed', 'restart journald': 'changed' });
  assert.match(recorder.ends()[0]?.result.diff ?? '', '+[Journal]\n+SystemMaxUse=200M\n');
  assert.is(await sh('test -e /etc/systemd/journald.conf.d/50-ploy.conf && echo present || echo absent'), 'absent\n');
});

test.run();
