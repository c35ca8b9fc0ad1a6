import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { InputError, ModuleArgsError } from '../../lib/errors.ts';
import { defineModule } from '../../lib/module.ts';
import { defineRole, definePlay, type Role } from '../../lib/role.ts';
import { runPlay } from '../../lib/runner/run-play.ts';
import { CountingPool, RecordingReporter, lineFile, localInventory, localSpec, recorder, rejection, runCommand, runOptions, tempDir } from './runner-support.ts';

/** A module whose prepare() needs a variable, like a template does. */
const needsVar = defineModule<{ name: string }, { value: string }>({
  name: 'needs_var',
  validate: (args) => args,
  prepare(args, env) {
    if (env.vars[args.name] === undefined) throw new InputError(`template uses "${args.name}", which is not defined`, { file: 'templates/x.hbs', line: 3 });
    return args;
  },
  async plan() {
    return { changes: [] };
  },
});

test('a bad argument in a later task on the last host aborts the run before anything ran anywhere', async () => {
  const dir = tempDir();
  const role = defineRole({
    name: 'web',
    hosts: 'all',
    defaults: {},
    async run(t) {
      await t.run('first', lineFile, { path: join(dir, `${t.host.name}.first`), content: 'x' });
      await t.run('second', runCommand, { cmd: 'true' });
      await t.run('third', lineFile, { path: t.host.name === 'c' ? 'relative/path' : join(dir, 'ok'), content: 'x' });
    },
  });
  const pool = new CountingPool();
  const reporter = new RecordingReporter();
  const error = await rejection(runPlay(definePlay({ name: 'p', roles: [role as Role] }), runOptions(localInventory({ a: {}, b: {}, c: {} }), pool), reporter));
  assert.instance(error, ModuleArgsError);
  assert.is(error.message, 'host c, task "third", field "path": line_file: path must be an absolute path');
  assert.is(pool.gets.size, 0);
  assert.is(pool.channels(), 0);
  assert.equal(reporter.events, []);
  for (const host of ['a', 'b', 'c']) assert.not.ok(existsSync(join(dir, `${host}.first`)));
});

test('a bad argument in a handler aborts too', async () => {
  const role = defineRole<Record<string, never>, 'restart'>({
    name: 'svc',
    hosts: 'all',
    defaults: {},
    handlers: { restart: async (t) => void (await t.run('restart', runCommand, { cmd: '' })) },
    async run(t) {
      await t.run('probe', runCommand, { cmd: 'true' }, { notify: 'restart' });
    },
  });
  const error = await rejection(runPlay(definePlay({ name: 'p', roles: [role as Role] }), runOptions(localInventory({ a: {} }), new CountingPool()), new RecordingReporter()));
  assert.match(error.message, /task "restart", field "cmd"/);
});

test('role code that depends on real results is tolerated, and tasks not depending on them are still checked', async () => {
  const dir = tempDir();
  const seen: string[] = [];
  const record = recorder(seen);
  const tolerant = defineRole({
    name: 'tolerant',
    hosts: 'all',
    defaults: {},
    async run(t) {
      const r = await t.run('read', runCommand, { cmd: 'echo 1.2.3' });
      const version = r.data.stdout?.trim() ?? '';
      // Invalid as content while unknown; must not count as bad input:
      await t.run('write version', lineFile, { path: join(dir, 'version'), content: version.split('.').map(Number).join('-') });
      await t.run('saw', record, { entry: `version ${version}` });
      const parsed = JSON.parse(`[${r.data.stdout ?? ''}]`) as number[];
      await t.run('parsed', record, { entry: `parsed ${parsed.length}` });
    },
  });
  const summary = await runPlay(definePlay({ name: 'p', roles: [tolerant as Role] }), runOptions(localInventory({ a: {} }), new CountingPool()), new RecordingReporter());
  assert.is(summary.exitCode, 2); // JSON.parse("[1.2.3\n]") really fails, on the host, in the real run
  assert.equal(seen, ['version 1.2.3']);

  const strict = defineRole({
    name: 'strict',
    hosts: 'all',
    defaults: {},
    async run(t) {
      const r = await t.run('read', runCommand, { cmd: 'echo 1.2.3' });
      await t.run('dependent', lineFile, { path: join(dir, 'v'), content: r.data.stdout as string });
      await t.run('independent', lineFile, { path: 'not/absolute', content: 'x' });
    },
  });
  const error = await rejection(runPlay(definePlay({ name: 'p', roles: [strict as Role] }), runOptions(localInventory({ a: {} }), new CountingPool()), new RecordingReporter()));
  assert.match(error.message, /task "independent", field "path"/);
});

test("t.fail() and a polling loop on unknown data end a host's preflight quietly", async () => {
  const role = defineRole({
    name: 'r',
    hosts: 'all',
    defaults: {},
    async run(t) {
      if (t.host.name === 'a') t.fail('only the real run decides');
      let r = await t.run('wait ready', runCommand, { cmd: 'echo Ready' });
      while (r.data.stdout?.trim() !== 'Ready') r = await t.run('wait ready', runCommand, { cmd: 'echo Ready' });
    },
  });
  const started = performance.now();
  const summary = await runPlay(definePlay({ name: 'p', roles: [role as Role] }), runOptions(localInventory({ a: {}, b: {} }), new CountingPool()), new RecordingReporter());
  assert.ok(performance.now() - started < 3000);
  assert.is(summary.stats['a']?.failed, 1);
  assert.is(summary.stats['b']?.ok, 1);
});

test('required variables: missing is an InputError naming role, host and variable; inventory or -e satisfy it', async () => {
  const role = defineRole({
    name: 'k3s',
    hosts: 'all',
    defaults: { k3s_version: 'v1.30' },
    required: ['k3s_token', 'k3s_version'],
    async run(t) {
      await t.run('x', runCommand, { cmd: 'true' });
    },
  });
  const play = definePlay({ name: 'p', roles: [role as Role] });
  const pool = new CountingPool();
  const error = await rejection(runPlay(play, runOptions(localInventory({ s1: { k3s_token: 't' }, s2: { k3s_token: null } }), pool), new RecordingReporter()));
  assert.instance(error, InputError);
  assert.is(error.message, 'host s2, field "k3s_token": role k3s requires variable "k3s_token", which is not set (set it in the inventory or with -e k3s_token=...)');
  assert.is(pool.gets.size, 0);
  const ok = await runPlay(play, runOptions(localInventory({ s1: { k3s_token: 't' }, s2: {} }), pool, { extraVars: { k3s_token: 'u' } }), new RecordingReporter());
  assert.is(ok.exitCode, 0);
});

test("prepare() runs with the host's vars; its InputError aborts, naming host and task", async () => {
  const role = defineRole({
    name: 'tpl',
    hosts: 'all',
    defaults: {},
    async run(t) {
      await t.run('render', needsVar, { name: 'greeting' });
    },
  });
  const play = definePlay({ name: 'p', roles: [role as Role] });
  const error = await rejection(runPlay(play, runOptions(localInventory({ a: { greeting: 'hi' }, b: {} }), new CountingPool()), new RecordingReporter()));
  assert.is(error.message, 'templates/x.hbs:3, host b, task "render": template uses "greeting", which is not defined');
});

test('notify of a name that is not a handler of the role is an InputError', async () => {
  const role = defineRole<Record<string, never>, 'restart'>({
    name: 'svc',
    hosts: 'all',
    defaults: {},
    handlers: { restart: async () => {} },
    async run(t) {
      await t.run('x', runCommand, { cmd: 'true' }, { notify: 'restrat' as 'restart' });
    },
  });
  const error = await rejection(runPlay(definePlay({ name: 'p', roles: [role as Role] }), runOptions(localInventory({ a: {} }), new CountingPool()), new RecordingReporter()));
  assert.match(error.message, /notifies "restrat", which is not a handler of role svc \(its handlers are: restart\)/);
});

test('bad connection vars are input errors found in preflight', async () => {
  const role = defineRole({ name: 'r', hosts: 'all', defaults: {}, async run() {} });
  const specFor: typeof localSpec = (inventory, host) => {
    if (host === 'b') throw new InputError('ansible_port must be a number, got "x"', { host, field: 'ansible_port' });
    return localSpec(inventory, host);
  };
  const error = await rejection(runPlay(definePlay({ name: 'p', roles: [role as Role] }), runOptions(localInventory({ a: {}, b: {} }), new CountingPool(), { specFor }), new RecordingReporter()));
  assert.match(error.message, /host b, field "ansible_port"/);
});

test.run();
