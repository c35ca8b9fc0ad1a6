/**
 * withModules: a project's modules become methods of the task API of its roles (run and handlers),
 * and a name that would shadow a member of the task API is refused before anything runs.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { iniFile } from '../../examples/ini-file/ini-file.ts';
import { journald } from '../../examples/ini-file/role.ts';
import { InputError } from '../../lib/errors.ts';
import { inventoryFromYaml } from '../../lib/inventory/load.ts';
import { withModules } from '../../lib/module-set.ts';
import type { Module } from '../../lib/module.ts';
import { builtinModules } from '../../lib/modules/index.ts';
import type { TaskResult } from '../../lib/result.ts';
import { definePlay, defineRole, type ModuleSet, type Role } from '../../lib/role.ts';
import { runPlay } from '../../lib/runner/run-play.ts';
import { buildTaskApi, TASK_API_MEMBERS, type TaskApiParts } from '../../lib/runner/task-api.ts';
import { CountingPool, RecordingReporter, runOptions } from './runner-support.ts';

function refused(modules: unknown, pattern: RegExp): InputError {
  try {
    withModules(modules as ModuleSet as never);
  } catch (error) {
    assert.instance(error, InputError, String(error));
    assert.match((error as Error).message, pattern);
    return error as InputError;
  }
  assert.unreachable(`withModules accepted ${JSON.stringify(Object.keys(modules as object))}`);
  throw new Error('unreachable');
}

test('every built-in module name is refused, naming the name, the field and the calling file', () => {
  for (const name of Object.keys(builtinModules)) {
    const error = refused({ [name]: iniFile }, new RegExp(`"${name}" is already a built-in module: register the module under another name`));
    assert.is(error.where?.field, name);
    assert.is(error.where?.file, 'test/unit/module-set.test.ts');
  }
});

test("the task API's own members and then are refused too", () => {
  for (const name of TASK_API_MEMBERS) refused({ [name]: iniFile }, new RegExp(`"${name}" is already the task API's own t\\.${name}`));
  refused({ then: iniFile }, /"then" is already the promise method then/);
});

test('a name that is not an identifier, or a value that is not a module, is refused', () => {
  refused({ 'ini-file': iniFile }, /must be a JavaScript identifier.*"ini-file"/);
  refused({ ini: { name: 'ini', validate: (a: unknown) => a } }, /"ini" must be a module made with defineModule.*no plan\(\) function/);
  refused({ ini: null }, /got null/);
  refused([iniFile], /takes an object of modules by name.*an array/);
});

test("defineRole from withModules keeps the role's definition and carries the modules, frozen", () => {
  assert.is(journald.kind, 'role');
  assert.is(journald.name, 'journald');
  assert.equal(Object.keys(journald.modules ?? {}), ['iniFile']);
  assert.is(journald.modules?.iniFile, iniFile);
  assert.ok(Object.isFrozen(journald.modules));
});

test("buildTaskApi: t.<name> runs the project's module through the same call as a built-in", async () => {
  const calls: Array<{ name: string; module: Module<unknown, unknown>; args: unknown; options: unknown }> = [];
  const parts: TaskApiParts<string> = {
    host: { name: 'h1', groups: [] },
    check: true,
    async call<A, R>(name: string, module: Module<A, R>, args: A, options?: unknown): Promise<TaskResult<R>> {
      calls.push({ name, module: module as Module<unknown, unknown>, args, options });
      return { status: 'ok', changed: false, changes: [], data: {} };
    },
    flush: async () => undefined,
    hostvars: () => ({}),
    setFact: () => undefined,
    facts: () => Promise.reject(new Error('not here')),
    hostsOf: () => [],
    fail: (message) => {
      throw new Error(message);
    },
  };
  const t = buildTaskApi(parts, { iniFile } as ModuleSet) as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
  await t.iniFile?.('set it', { path: '/etc/a.ini', option: 'k', value: 'v' }, { notify: 'h' });
  await t.file?.('a file', { path: '/tmp/x', state: 'absent' });
  assert.equal(
    calls.map((c) => [c.name, c.module.name, c.options]),
    [
      ['set it', 'ini_file', { notify: 'h' }],
      ['a file', 'file', undefined],
    ],
  );
  const plain = buildTaskApi(parts) as unknown as Record<string, unknown>;
  assert.not.ok('iniFile' in plain, 'a role without modules has none');
});

test('a role assembled by hand with a clashing module fails the play before any host is touched', async () => {
  const inventory = inventoryFromYaml('all:\n  vars: { ansible_connection: local }\n  hosts:\n    h1: {}\n');
  const role = { ...defineRole({ name: 'by-hand', hosts: 'all', defaults: {}, async run() {} }), modules: { copy: iniFile } } as unknown as Role;
  const pool = new CountingPool();
  const reporter = new RecordingReporter();
  try {
    await runPlay(definePlay({ name: 'p', roles: [role] }), runOptions(inventory, pool), reporter);
    assert.unreachable('the play ran');
  } catch (error) {
    assert.instance(error, InputError, String(error));
    assert.is((error as Error).message, 'field "copy": role by-hand\'s modules: "copy" is already a built-in module: register the module under another name');
  }
  assert.equal(reporter.events, [], 'nothing ran, nothing was reported');
});

test.run();
