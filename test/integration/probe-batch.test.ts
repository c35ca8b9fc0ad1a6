/**
 * Batched probes on real hosts (test bed, over SSH, sudo from a non-root user): a role of several
 * probing modules converges, re-runs and checks exactly as with one probe per task, in one round
 * trip per host when nothing changes; an answer taken before a change is never used after it.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ConnectionPool } from '../../lib/connection/pool.ts';
import { loadInventory } from '../../lib/inventory/load.ts';
import type { Inventory } from '../../lib/inventory/types.ts';
import type { TaskResult } from '../../lib/result.ts';
import { defineRole, definePlay, type Play, type Role, type TaskApi } from '../../lib/role.ts';
import { runPlay, type RunOptions } from '../../lib/runner/run-play.ts';
import { beforeAll } from '../support/before-all.ts';
import { ObservedPool, Recorder } from '../support/observed-run.ts';
import { startTestbed, TESTBED_USERS, type Testbed } from '../testbed/bed.ts';

let bed: Testbed;
let inventory: Inventory;

/**
 * Eight probing tasks; the last one as the login user, the rest through sudo. lineinfile edits the
 * file the command before it creates: had it been answered with the state seen before that, it
 * would write a file without the command's line.
 */
async function siteTasks(t: TaskApi<never>): Promise<void> {
  await t.file('dir', { path: '/srv/pb', state: 'directory', mode: '0755' });
  await t.command('seed', { cmd: ['sh', '-c', 'echo port=80 > /srv/pb/app.conf'], creates: '/srv/pb/app.conf' });
  await t.lineinfile('line', { path: '/srv/pb/app.conf', line: 'debug=false', create: true });
  await t.copy('motd', { dest: '/srv/pb/motd', content: 'hello\n', mode: '0644' });
  await t.blockinfile('block', { path: '/srv/pb/extra.conf', block: 'a=1\nb=2', create: true });
  await t.user('user', { name: 'pbuser', shell: '/bin/bash' });
  await t.file('link', { path: '/srv/pb/current', state: 'link', src: '/srv/pb/app.conf' });
  await t.file('readable as the login user', { path: '/srv/pb/motd', state: 'file' }, { become: false });
}

const site = defineRole({ name: 'site', hosts: 'all', defaults: {}, run: siteTasks });
/** The same role reading the host's facts first, as the cluster roles do (the K3s download depends on the architecture). */
const factsSite = defineRole({
  name: 'site',
  hosts: 'all',
  defaults: {},
  async run(t) {
    const facts = await t.facts();
    t.setFact('site_arch', facts.arch.go);
    await siteTasks(t);
  },
});
const play: Play = definePlay({ name: 'batch', roles: [site as Role] });
const PROBING_TASKS = 8;
/** Logged in as alice, whose sudo asks for her password: batches go through the sudo dialogue too. */
const SUDO_WITH_PASSWORD = { ansible_user: TESTBED_USERS.alice.name, ansible_become: true, ansible_become_password: TESTBED_USERS.alice.sudoPassword };

function pool(): ObservedPool {
  return new ObservedPool(new ConnectionPool({ knownHostsFile: bed.knownHostsPath, connectTimeoutMs: 5000 }));
}

function options(connections: ObservedPool, extra: Partial<RunOptions>): RunOptions {
  return { inventory, check: false, diff: false, forks: 5, extraVars: SUDO_WITH_PASSWORD, projectDir: bed.dir, connections, ...extra };
}

/** What a run reported, per host: each task's status and change summaries. */
function outcome(reporter: Recorder): Record<string, Array<[string, TaskResult<Record<string, unknown>>['status'], string[], string | undefined]>> {
  const byHost: Record<string, Array<[string, TaskResult<Record<string, unknown>>['status'], string[], string | undefined]>> = {};
  for (const end of reporter.ends()) (byHost[end.host] ??= []).push([end.task, end.result.status, end.result.changes, end.result.diff]);
  return byHost;
}

async function fingerprint(host: string): Promise<string> {
  const script =
    'cd /srv/pb && for f in app.conf extra.conf motd; do printf "%s:" $f; cat $f; done; readlink current; stat -c "%n %a %U" . app.conf extra.conf motd; getent passwd pbuser | cut -d: -f1,7';
  return (await bed.sh(host, script)).stdout;
}

async function runBoth(extra: Partial<RunOptions>): Promise<{ batched: Recorder; alone: Recorder; batchedPool: ObservedPool; alonePool: ObservedPool }> {
  const batchedPool = pool();
  const batched = new Recorder();
  const first = await runPlay(play, options(batchedPool, { ...extra, limit: 'h1' }), batched);
  assert.is(first.exitCode, 0, batched.problems());
  const alonePool = pool();
  const alone = new Recorder();
  const second = await runPlay(play, options(alonePool, { ...extra, limit: 'h2', batchProbes: false }), alone);
  assert.is(second.exitCode, 0, alone.problems());
  return { batched, alone, batchedPool, alonePool };
}

beforeAll(test, async () => {
  bed = await startTestbed({ hosts: [{ name: 'h1' }, { name: 'h2' }] });
  inventory = await loadInventory(bed.inventoryPath);
});

test.after(async () => {
  await bed?.stop();
});

test('converge: the same results and the same host state as one probe per task', async () => {
  const { batched, alone } = await runBoth({});
  assert.equal(outcome(batched).h1, outcome(alone).h2);
  assert.equal(
    outcome(batched).h1?.map(([, status]) => status),
    [...Array(PROBING_TASKS - 1).fill('changed'), 'ok'],
  );
  assert.is(await fingerprint('h1'), await fingerprint('h2'));
  assert.match(await fingerprint('h1'), 'app.conf:port=80\ndebug=false\n', 'lineinfile edited the file the command had just written, not the state seen before it');
});

test('no change: one round trip per host with batching, one per task without', async () => {
  const { batched, alone, batchedPool, alonePool } = await runBoth({});
  assert.equal(outcome(batched).h1, outcome(alone).h2);
  assert.ok(
    outcome(batched).h1?.every(([, status]) => status === 'ok'),
    JSON.stringify(outcome(batched).h1),
  );
  // The sudo tasks share one batch; the login-user task cannot use it and sends its own.
  assert.is(batchedPool.channels('h1'), 2);
  assert.is(alonePool.channels('h2'), PROBING_TASKS);
  assert.is(batched.commands('h1').filter((c) => c.batched).length, PROBING_TASKS - 1, 'each sudo probe is reported, marked batched');
});

test('a role that reads facts: no change is still one round trip for the sudo tasks, facts included', async () => {
  const connections = pool();
  const reporter = new Recorder();
  const summary = await runPlay(definePlay({ name: 'facts', roles: [factsSite as Role] }), options(connections, { limit: 'h1' }), reporter);
  assert.is(summary.exitCode, 0, reporter.problems());
  assert.equal(
    reporter.ends().map((e) => e.result.status),
    Array(PROBING_TASKS + 1).fill('ok'),
  );
  assert.is(
    connections.channels('h1'),
    2,
    reporter
      .commands('h1')
      .map((c) => c.command.split('\n')[0])
      .join('\n'),
  );
  assert.ok(reporter.commands('h1').find((c) => c.command.includes('/etc/os-release'))?.batched, 'the facts probe was answered from the batch');
});

test('check on drift: the same predictions, nothing altered, one round trip', async () => {
  for (const host of ['h1', 'h2']) await bed.sh(host, 'echo port=81 > /srv/pb/app.conf && rm /srv/pb/extra.conf && chmod 0711 /srv/pb');
  const before = await fingerprint('h1');
  const { batched, alone, batchedPool } = await runBoth({ check: true, diff: true });
  assert.equal(outcome(batched).h1, outcome(alone).h2);
  assert.equal(
    outcome(batched)
      .h1?.filter(([, status]) => status === 'changed')
      .map(([task]) => task),
    ['dir', 'line', 'block'],
  );
  assert.is(await fingerprint('h1'), before, 'check mode altered nothing');
  assert.is(batchedPool.channels('h1'), 2);
});

test('an answer taken before a change is not used after it: the next task probes again', async () => {
  await bed.sh('h1', 'rm -rf /srv/pb');
  const reporter = new Recorder();
  const summary = await runPlay(play, options(pool(), { limit: 'h1' }), reporter);
  assert.is(summary.exitCode, 0, reporter.problems());
  assert.match(await fingerprint('h1'), 'app.conf:port=80\ndebug=false\n');
  const commands = reporter.commands('h1').map((c) => (c.batched ? 'answer' : c.command.startsWith('#') ? 'batch' : 'own'));
  // dir changes (its answer came from the first batch, the others' are dropped unused): from then
  // on, while tasks keep changing things, each probe goes alone (the seed's guard, then its command).
  assert.equal(commands.slice(0, 5), ['batch', 'answer', 'own', 'own', 'own'], commands.join(' '));
  assert.is(commands.filter((c) => c === 'batch').length, 1, 'a converge where every task changes something batches once');
});

test.run();
