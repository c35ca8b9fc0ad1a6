/**
 * What the preflight pass tells its observers, and the flags built on it: --list-tasks and
 * --list-tags (the tasks each host's role code calls, after tag selection, handlers left out, per
 * group of hosts that run the same tasks), --syntax-check (the pass alone, no connection), and
 * --start-at-task (each host skips its tasks until the start, across roles). Hosts are the
 * controller itself; the pool counts every connection asked for.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { formatTagList, formatTaskList, TaskListing } from '../../lib/cli/list-tasks.ts';
import { listRoleHosts } from '../../lib/cli/list-hosts.ts';
import { InputError } from '../../lib/errors.ts';
import { definePlay, defineRole, type Play, type Role } from '../../lib/role.ts';
import { runPlay } from '../../lib/runner/run-play.ts';
import { observeAll } from '../../lib/runner/preflight-observer.ts';
import { StartAtTask } from '../../lib/runner/start-at-task.ts';
import { CountingPool, RecordingReporter, localInventory, runCommand, runOptions } from './runner-support.ts';

const setup = defineRole({
  name: 'setup',
  hosts: 'all',
  tags: ['base'],
  defaults: { flavour: 'plain' },
  handlers: { 'say reload': async (t) => void (await t.run('reload', runCommand, { cmd: 'true' })) },
  async run(t, vars) {
    await t.run('first', runCommand, { cmd: 'true' }, { tags: ['one'], notify: 'say reload' });
    if (vars.flavour === 'extra') await t.run('extra only', runCommand, { cmd: 'true' }, { tags: ['extra'] });
    const probe = await t.run('probe', runCommand, { cmd: 'echo hi' }, { tags: ['probe'] });
    if (probe.data.stdout?.trim() === 'hi') await t.run('after the probe', runCommand, { cmd: 'true' });
  },
}) as Role;

const app = defineRole({
  name: 'app',
  hosts: 'web',
  defaults: {},
  async run(t) {
    await t.run('deploy', runCommand, { cmd: 'true' }, { tags: ['deploy'] });
  },
}) as Role;

const play: Play = definePlay({ name: 'site', roles: [setup, app] });
const inventory = localInventory({ h1: {}, h2: { flavour: 'extra' }, h3: {} }, { web: ['h3'] });

async function listed(selection: { tags?: string[] } = {}) {
  const pool = new CountingPool();
  const roles = listRoleHosts(play, inventory, {}).map((role) => ({ ...role, tags: play.roles.find((r) => r.name === role.name)?.tags ?? [] }));
  const listing = new TaskListing(roles);
  const summary = await runPlay(play, runOptions(inventory, pool, { ...selection, preflightOnly: true, preflightObserver: listing }), new RecordingReporter());
  return { result: listing.result(), pool, summary };
}

test('--list-tasks: each group of hosts with its own tasks, no handlers, the part that needs real results marked; nothing connected', async () => {
  const { result, pool, summary } = await listed();
  assert.equal(summary, { stats: {}, exitCode: 0, interrupted: false });
  assert.is(pool.gets.size, 0, 'no connection asked for');
  assert.is(
    formatTaskList('site', result),
    [
      'playbook: site',
      '',
      '  role #1 (all): setup\tTAGS: [base]',
      '    tasks on h1, h3:',
      '      first\tTAGS: [base, one]',
      '      probe\tTAGS: [base, probe]',
      '      ~ (the code looks at a result here: from here on, a real run may call other tasks)',
      '    tasks on h2:',
      '      first\tTAGS: [base, one]',
      '      extra only\tTAGS: [base, extra]',
      '      probe\tTAGS: [base, probe]',
      '      ~ (the code looks at a result here: from here on, a real run may call other tasks)',
      '',
      '  role #2 (web): app\tTAGS: []',
      '    tasks:',
      '      deploy\tTAGS: [deploy]',
      '',
    ].join('\n'),
  );
});

test("--list-tasks follows --tags; --list-tags gives each role's task tags", async () => {
  const { result } = await listed({ tags: ['deploy', 'one'] });
  assert.equal(
    result.map((role) => role.taskLists.map((list) => list.tasks.map((task) => task.name))),
    [[['first']], [['deploy']]],
    'one group: with these tags every host lists the same',
  );
  const all = await listed();
  assert.is(
    formatTagList('site', all.result),
    ['playbook: site', '', '  role #1 (all): setup\tTAGS: [base]', '      TASK TAGS: [base, extra, one, probe]', '', '  role #2 (web): app\tTAGS: []', '      TASK TAGS: [deploy]', ''].join('\n'),
  );
});

test('the preflight alone still refuses bad input (what --syntax-check reports)', async () => {
  const broken = defineRole({ name: 'broken', hosts: 'all', defaults: {}, run: async (t) => void (await t.run('bad', runCommand, { cmd: '' })) }) as Role;
  const pool = new CountingPool();
  const error = await runPlay(definePlay({ name: 'p', roles: [broken] }), runOptions(inventory, pool, { preflightOnly: true }), new RecordingReporter()).catch((e: unknown) => e);
  assert.instance(error, InputError);
  assert.match(String(error), /host h1, task "bad", field "cmd"/);
  assert.is(pool.gets.size, 0);
});

test('--start-at-task: matching by name, ROLE : NAME and glob; an unknown name lists the tasks', () => {
  const start = new StartAtTask('app : dep*');
  assert.ok(start.matches('app', 'deploy'));
  assert.not.ok(start.matches('setup', 'deploy'));
  assert.ok(new StartAtTask('deploy').matches('app', 'deploy'));
  assert.ok(new StartAtTask('[dp]eploy').matches('app', 'deploy'));
  assert.not.ok(new StartAtTask('Deploy').matches('app', 'deploy'), 'case counts, as in Ansible');
  const unknown = new StartAtTask('nope');
  unknown.task(setup, 'h1', { name: 'first', module: 'run_command', tags: [], selected: true });
  unknown.task(setup, 'h1', { name: 'hidden', module: 'run_command', tags: [], selected: false });
  assert.throws(
    () => unknown.end(),
    (error: Error) => error instanceof InputError && error.message === '--start-at-task "nope": no task has this name (the tasks are: "setup : first")',
  );
  const cut = new StartAtTask('nope');
  cut.dependsOnResults();
  cut.end();
});

async function runFrom(pattern: string) {
  const start = new StartAtTask(pattern);
  const reporter = new RecordingReporter();
  const pool = new CountingPool();
  const summary = await runPlay(play, runOptions(inventory, pool, { startAt: start, preflightObserver: observeAll(start) }), reporter);
  return { start, summary, ran: reporter.results(), pool };
}

test('--start-at-task: every host skips its tasks before the start, across roles; handlers only for tasks that ran', async () => {
  const { start, summary, ran } = await runFrom('probe');
  assert.ok(start.found);
  assert.equal([...ran].sort(), ['h1 after the probe ok', 'h1 probe ok', 'h2 after the probe ok', 'h2 probe ok', 'h3 after the probe ok', 'h3 deploy ok', 'h3 probe ok']);
  assert.not.ok(
    ran.some((line) => line.includes('first') || line.includes('reload')),
    'the first task did not run, so its handler was not notified',
  );
  assert.equal(summary.stats['h2'], { ...summary.stats['h2']!, ok: 2, skipped: 0 }, 'skipped tasks are not counted');
});

test('--start-at-task: a host whose code never comes to the start runs nothing; a later role starts where it matches', async () => {
  const { ran, pool } = await runFrom('extra only');
  assert.equal(ran.filter((line) => line.startsWith('h1') || line.startsWith('h3 ')).length, 0, 'h1 and h3 never call "extra only"');
  assert.ok(ran.includes('h2 extra only ok') && ran.includes('h2 probe ok'));
  assert.equal([...pool.gets.keys()], ['h2'], 'hosts that ran no task were never connected to');
  const fromApp = await runFrom('app : deploy');
  assert.equal(fromApp.ran, ['h3 deploy ok']);
});

test('--start-at-task with a name no task has: refused after the preflight, before any connection or event', async () => {
  const only = defineRole({ name: 'only', hosts: 'all', defaults: {}, run: async (t) => void (await t.run('one', runCommand, { cmd: 'true' })) }) as Role;
  const start = new StartAtTask('no such task');
  const pool = new CountingPool();
  const reporter = new RecordingReporter();
  const error = await runPlay(definePlay({ name: 'p', roles: [only] }), runOptions(inventory, pool, { startAt: start, preflightObserver: start }), reporter).catch((e: unknown) => e);
  assert.instance(error, InputError);
  assert.is((error as Error).message, '--start-at-task "no such task": no task has this name (the tasks are: "only : one")');
  assert.equal([pool.gets.size, reporter.events.length], [0, 0]);
});

test.run();
