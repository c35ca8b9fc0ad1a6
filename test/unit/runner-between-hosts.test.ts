import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Connection, ExecOptions } from '../../lib/connection/connection.ts';
import type { ConnectionSpec } from '../../lib/connection/spec.ts';
import { InputError } from '../../lib/errors.ts';
import { HumanReporter } from '../../lib/report/human.ts';
import { defineRole, definePlay, type Role } from '../../lib/role.ts';
import { runPlay } from '../../lib/runner/run-play.ts';
import { isSecret, secret, type Secret } from '../../lib/secret.ts';
import { sh } from '../../lib/shell.ts';
import { startHttpFixture } from '../support/http-fixture.ts';
import { appendLine, CountingPool, localInventory, RecordingReporter, recorder, rejection, runCommand, runOptions, tempDir } from './runner-support.ts';

const servers = () => localInventory({ s1: {}, s2: {}, s3: {}, bastion: {} }, { servers: ['s1', 's2', 's3'], bastion: ['bastion'] });
const play = (...roles: Role[]) => definePlay({ name: 'p', roles });

test("delegateTo runs the task over the delegate's connection, reported under the current host", async () => {
  const pool = new CountingPool();
  const reporter = new RecordingReporter();
  const role = defineRole({
    name: 'r',
    hosts: 's2',
    defaults: {},
    async run(t) {
      await t.run('read on the first server', runCommand, { cmd: 'true' }, { delegateTo: 's1' });
    },
  }) as Role;
  const summary = await runPlay(play(role), runOptions(servers(), pool), reporter);
  assert.is(summary.exitCode, 0);
  assert.equal([...pool.gets.keys()], ['s1'], 'only the delegate was connected to');
  const end = reporter.of('task-end')[0];
  assert.is(end?.host, 's2');
  assert.is(end?.delegatedTo, 's1');
  assert.equal(
    reporter.of('command').map((c) => [c.host, c.delegatedTo]),
    [['s2', 's1']],
  );
  assert.equal(Object.keys(summary.stats), ['s2']);
  const out: string[] = [];
  const human = new HumanReporter({ out: { write: (s: string) => void out.push(s) }, err: { write: () => undefined }, mode: { color: false, live: false, columns: 200 }, verbosity: 1 });
  for (const event of reporter.events) human.emit(event);
  assert.match(out.join(''), /ok: \[s2 -> s1\] read on the first server/);
  assert.match(out.join(''), /\[s2 -> s1\] rc=0/);
});

test('delegateTo a host the inventory does not have fails before any host is touched; one outside the play is fine', async () => {
  const pool = new CountingPool();
  const role = (to: string) =>
    defineRole({
      name: 'r',
      hosts: 'servers',
      defaults: {},
      async run(t) {
        await t.run('x', runCommand, { cmd: 'true' }, { delegateTo: to });
      },
    }) as Role;
  const error = await rejection(runPlay(play(role('server-9')), runOptions(servers(), pool), new RecordingReporter()));
  assert.instance(error, InputError);
  assert.match(error.message, /host s1, task "x", field "delegateTo": "server-9" is not a host of the inventory/);
  assert.is(pool.gets.size, 0);
  const ok = await runPlay(play(role('bastion')), runOptions(servers(), pool), new RecordingReporter());
  assert.is(ok.exitCode, 0);
});

test("a delegated probe is never batched with the current host's probes", async () => {
  const pool = new CountingPool();
  const reporter = new RecordingReporter();
  const dir = tempDir();
  const role = defineRole({
    name: 'r',
    hosts: 's1',
    defaults: {},
    async run(t) {
      await t.file('a', { path: join(dir, 'a'), state: 'absent' });
      await t.file('b', { path: join(dir, 'b'), state: 'absent' }, { delegateTo: 's2' });
      await t.file('c', { path: join(dir, 'c'), state: 'absent' });
    },
  }) as Role;
  await runPlay(play(role), runOptions(servers(), pool), reporter);
  const commands = reporter.of('command');
  assert.equal(commands.filter((c) => c.delegatedTo === 's2').length, 1, 'the delegate got its own probe');
  assert.ok(
    commands.some((c) => c.command.startsWith('# 2 probes in one round trip')),
    'a and c went together',
  );
  assert.is(pool.connections.get('s2')?.channelsOpened, 1);
});

test('runOnce runs on the first host of each batch; every host of the batch gets its result', async () => {
  const dir = tempDir();
  const log = join(dir, 'log');
  const results: string[] = [];
  const record = recorder(results);
  const role = defineRole({
    name: 'r',
    hosts: 'servers',
    serial: 2,
    defaults: {},
    async run(t) {
      const r = await t.run('once', appendLine, { path: log, line: `ran-on-${t.host.name}` }, { runOnce: true });
      await t.run('note', record, { entry: `${t.host.name}:${r.status}` });
    },
  }) as Role;
  const reporter = new RecordingReporter();
  const summary = await runPlay(play(role), runOptions(servers(), new CountingPool()), reporter);
  assert.is(summary.exitCode, 0);
  assert.equal(readFileSync(log, 'utf8').trim().split('\n'), ['ran-on-s1', 'ran-on-s3']);
  assert.equal(results.sort(), ['s1:changed', 's2:changed', 's3:changed']);
  assert.equal(
    reporter.results().filter((r) => r.includes('once')),
    ['s1 once changed', 's3 once changed'],
  );
});

test('runOnce: when the first host ends without reaching the task, a waiting host runs it', async () => {
  const dir = tempDir();
  const log = join(dir, 'log');
  const role = defineRole({
    name: 'r',
    hosts: 'servers',
    defaults: {},
    async run(t) {
      if (t.host.name === 's1') t.fail('s1 stops early');
      await t.run('slow', runCommand, { cmd: 'sleep 0.1' });
      await t.run('once', appendLine, { path: log, line: t.host.name }, { runOnce: true });
    },
  }) as Role;
  const summary = await runPlay(play(role), runOptions(servers(), new CountingPool()), new RecordingReporter());
  assert.equal(readFileSync(log, 'utf8').trim().split('\n').length, 1);
  assert.is(summary.stats['s2']?.failed, 0);
  assert.is(summary.stats['s3']?.failed, 0);
  assert.is(summary.stats['s1']?.failed, 1);
});

test('setFact on one host is read by another through hostvars in the same run; a Secret stays a Secret', async () => {
  const seen: string[] = [];
  const record = recorder(seen);
  let token: unknown;
  const first = defineRole({
    name: 'first',
    hosts: 's1',
    defaults: {},
    async run(t) {
      const r = await t.run('read token', runCommand, { cmd: 'echo K10abc::server:def' });
      t.setFact('join_token', secret(String(r.data.stdout).trim()));
      t.setFact('api_port', 6443);
    },
  }) as Role;
  const others = defineRole({
    name: 'others',
    hosts: 's2:s3',
    defaults: {},
    async run(t, vars) {
      const first = t.hostvars('s1');
      token = first['join_token'];
      await t.run('use', record, { entry: `${t.host.name}:${String(first['api_port'])}:${(first['join_token'] as Secret).reveal()}:${'join_token' in vars}` });
    },
  }) as Role;
  const summary = await runPlay(play(first, others), runOptions(servers(), new CountingPool()), new RecordingReporter());
  assert.is(summary.exitCode, 0);
  assert.ok(isSecret(token));
  assert.equal(seen.sort(), ['s2:6443:K10abc::server:def:false', 's3:6443:K10abc::server:def:false']);
});

test("facts rank above the inventory and below -e, in later roles' vars", async () => {
  const seen: string[] = [];
  const record = recorder(seen);
  const set = defineRole({
    name: 'set',
    hosts: 's1',
    defaults: {},
    async run(t) {
      t.setFact('color', 'fact');
      t.setFact('size', 'fact');
    },
  }) as Role;
  const read = defineRole({
    name: 'read',
    hosts: 's1',
    defaults: { color: 'default', size: 'default' },
    async run(t, vars) {
      await t.run('r', record, { entry: `${String(vars['color'])} ${String(vars['size'])}` });
    },
  }) as Role;
  const inventory = localInventory({ s1: { color: 'inventory' } });
  await runPlay(play(set, read), runOptions(inventory, new CountingPool(), { extraVars: { size: 'extra' } }), new RecordingReporter());
  assert.equal(seen, ['fact extra']);
});

test('a fact not set yet reads as "not known" in the preflight; never set, it fails the host naming role, host and fact', async () => {
  const role = defineRole({
    name: 'k3s',
    hosts: 's2',
    defaults: {},
    async run(t) {
      const token = t.hostvars('s1')['join_token'];
      await t.run('use', runCommand, { cmd: sh`echo ${String(token)}` });
    },
  }) as Role;
  const reporter = new RecordingReporter();
  const summary = await runPlay(play(role), runOptions(servers(), new CountingPool()), reporter);
  assert.is(summary.exitCode, 2);
  const failure = reporter.of('host-failed')[0];
  assert.is(failure?.host, 's2');
  assert.match(failure?.message ?? '', 'role k3s on s2 read hostvars("s1").join_token, which is not set');
});

test("setFact with a connection or magic variable's name is bad input, before any host is touched", async () => {
  for (const name of ['ansible_host', 'ansible_user', 'inventory_hostname', 'not a name']) {
    const pool = new CountingPool();
    const role = defineRole({
      name: 'r',
      hosts: 's1',
      defaults: {},
      async run(t) {
        t.setFact(name, '10.0.0.1');
      },
    }) as Role;
    const error = await rejection(runPlay(play(role), runOptions(servers(), pool), new RecordingReporter()));
    assert.instance(error, InputError);
    assert.match(error.message, /host s1, field "setFact": role r: /);
    assert.is(pool.gets.size, 0);
  }
});

test("retries/until: done on the 3rd try, every try visible; exhausted, the last failure is the task's", async () => {
  const dir = tempDir();
  const counter = join(dir, 'count');
  writeFileSync(counter, '');
  const cmd = `echo x >> ${counter}; wc -l < ${counter}`;
  const role = (retries: number) =>
    defineRole({
      name: 'r',
      hosts: 's1',
      defaults: {},
      async run(t) {
        await t.run('wait for 3', runCommand, { cmd }, { retries, delayS: 0, until: (r) => Number(r.data.stdout) >= 3 });
      },
    }) as Role;
  const reporter = new RecordingReporter();
  const ok = await runPlay(play(role(5)), runOptions(servers(), new CountingPool()), reporter);
  assert.is(ok.exitCode, 0);
  assert.equal(
    reporter.of('task-retry').map((e) => [e.attempt, e.attempts, e.msg]),
    [
      [1, 6, 'until is still false'],
      [2, 6, 'until is still false'],
    ],
  );
  assert.is(reporter.of('task-end')[0]?.result.attempts, 3);

  writeFileSync(counter, '');
  const failing = new RecordingReporter();
  const exhausted = await runPlay(play(role(1)), runOptions(servers(), new CountingPool()), failing);
  assert.is(exhausted.exitCode, 2);
  const end = failing.of('task-end')[0];
  assert.is(end?.result.status, 'failed');
  assert.is(end?.result.msg, 'until is still false after 2 tries');
  assert.is(end?.result.attempts, 2);

  const broken = defineRole({
    name: 'r',
    hosts: 's1',
    defaults: {},
    async run(t) {
      await t.run('always fails', runCommand, { cmd: 'echo nope >&2; exit 3' }, { retries: 2, delayS: 0 });
    },
  }) as Role;
  const last = new RecordingReporter();
  await runPlay(play(broken), runOptions(servers(), new CountingPool()), last);
  assert.is(last.of('task-retry').length, 2);
  assert.match(last.of('task-end')[0]?.result.msg ?? '', /nope/);
});

test('retries below 0, a delay that is not a number and until that is not a function are bad input', async () => {
  const cases: Array<[Record<string, unknown>, RegExp]> = [
    [{ retries: -1 }, /field "retries": must be a whole number of tries after the first, 0 or more, got -1/],
    [{ retries: 1.5 }, /field "retries"/],
    [{ delayS: 'soon' }, /field "delayS": must be a number of seconds/],
    [{ until: true }, /field "until": must be a function/],
  ];
  for (const [options, message] of cases) {
    const pool = new CountingPool();
    const role = defineRole({
      name: 'r',
      hosts: 's1',
      defaults: {},
      async run(t) {
        await t.run('x', runCommand, { cmd: 'true' }, options);
      },
    }) as Role;
    const error = await rejection(runPlay(play(role), runOptions(servers(), pool), new RecordingReporter()));
    assert.instance(error, InputError);
    assert.match(error.message, message);
    assert.is(pool.gets.size, 0);
  }
});

/** A pool whose connections record the become option of every command. */
class BecomeRecordingPool extends CountingPool {
  readonly seen: string[] = [];
  override async get(spec: ConnectionSpec): Promise<Connection> {
    const inner = await super.get(spec);
    return {
      host: inner.host,
      get channelsOpened() {
        return inner.channelsOpened;
      },
      close: () => inner.close(),
      exec: (command: string, options: ExecOptions = {}) => {
        this.seen.push(options.become ? options.become.user : 'login');
        return inner.exec(command, { ...options, become: false });
      },
    };
  }
}

test('role-level become applies to every task; a task overrides it', async () => {
  const pool = new BecomeRecordingPool();
  const role = defineRole({
    name: 'r',
    hosts: 's1',
    become: true,
    becomeUser: 'k3s',
    defaults: {},
    async run(t) {
      await t.run('as k3s', runCommand, { cmd: 'true' });
      await t.run('as login', runCommand, { cmd: 'true' }, { become: false });
      await t.run('as root', runCommand, { cmd: 'true' }, { becomeUser: 'root' });
    },
  }) as Role;
  await runPlay(play(role), runOptions(servers(), pool), new RecordingReporter());
  assert.equal(pool.seen, ['k3s', 'login', 'root']);
});

test('anyErrorsFatal: one failed host stops the others and the play', async () => {
  const seen: string[] = [];
  const record = recorder(seen);
  const k3s = defineRole({
    name: 'k3s',
    hosts: 'servers',
    serial: 1,
    anyErrorsFatal: true,
    defaults: {},
    async run(t) {
      if (t.host.name === 's2') await t.run('join', runCommand, { cmd: 'exit 1' });
      await t.run('joined', record, { entry: t.host.name });
    },
  }) as Role;
  const after = defineRole({
    name: 'after',
    hosts: 'all',
    defaults: {},
    async run(t) {
      await t.run('after', record, { entry: `after:${t.host.name}` });
    },
  }) as Role;
  const reporter = new RecordingReporter();
  const summary = await runPlay(play(k3s, after), runOptions(servers(), new CountingPool()), reporter);
  assert.is(summary.exitCode, 2);
  assert.equal(seen, ['s1']);
  assert.match(
    reporter
      .of('warning')
      .map((w) => w.message)
      .join('\n'),
    'role k3s has anyErrorsFatal and s2 failed: stopping every host and the play',
  );
});

test('t.facts() of the controller: gathered once per run, as one task, read from the real system', async () => {
  const reporter = new RecordingReporter();
  const seen: string[] = [];
  const record = recorder(seen);
  const role = (name: string) =>
    defineRole({
      name,
      hosts: 's1',
      defaults: {},
      async run(t) {
        const facts = await t.facts();
        const again = await t.facts();
        await t.run('r', record, { entry: `${facts.arch.go} ${facts.os.id} ${facts.memoryMiB > 0} ${facts === again} ${facts.kernel !== ''}` });
      },
    }) as Role;
  await runPlay(play(role('a'), role('b')), runOptions(servers(), new CountingPool(), { check: true }), reporter);
  const goArch = process.arch === 'x64' ? 'amd64' : process.arch;
  const osId = /^ID=(.*)$/m.exec(readFileSync('/etc/os-release', 'utf8'))?.[1]?.replace(/"/g, '');
  assert.equal(seen, [`${goArch} ${osId} true true true`, `${goArch} ${osId} true true true`]);
  assert.equal(
    reporter.results().filter((r) => r.includes('gather facts')),
    ['s1 gather facts ok'],
  );
});

test('a download whose URL depends on the facts still travels in the no-change batch', async () => {
  const http = await startHttpFixture('127.0.0.1', '127.0.0.1');
  const body = 'binary for this architecture\n';
  const goArch = process.arch === 'x64' ? 'amd64' : process.arch;
  http.route(`/release/${goArch}/tool`, { body });
  const dir = tempDir();
  const role = defineRole({
    name: 'r',
    hosts: 's1',
    defaults: {},
    async run(t) {
      const facts = await t.facts();
      await t.file('bin directory', { path: join(dir, 'bin'), state: 'directory', mode: '0755' });
      await t.getUrl('tool', { url: `${http.base}/release/${facts.arch.go}/tool`, dest: join(dir, 'bin', 'tool'), sha256: createHash('sha256').update(body).digest('hex'), mode: '0755' });
    },
  }) as Role;
  try {
    const first = await runPlay(play(role), runOptions(servers(), new CountingPool()), new RecordingReporter());
    assert.is(first.exitCode, 0);
    const pool = new CountingPool();
    const reporter = new RecordingReporter();
    await runPlay(play(role), runOptions(servers(), pool), reporter);
    assert.equal(reporter.results(), ['s1 gather facts ok', 's1 bin directory ok', 's1 tool ok']);
    assert.is(
      pool.channels(),
      1,
      reporter
        .of('command')
        .map((c) => c.command.split('\n')[0])
        .join('\n'),
    );
    assert.is(http.requests.length, 1, 'downloaded once, on the first run');
  } finally {
    await http.close();
  }
});

test.run();
