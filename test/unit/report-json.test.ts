import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { JsonReporter } from '../../lib/report/json.ts';
import type { RunEvent } from '../../lib/runner/events.ts';
import { FakeStream, scriptedRun } from '../fixtures/report-events.ts';

function run(events: RunEvent[]) {
  const out = new FakeStream();
  const err = new FakeStream();
  const reporter = new JsonReporter({ out, err });
  for (const event of events) reporter.emit(event);
  const before = out.text;
  reporter.close();
  reporter.close();
  return { out, err, before };
}

const end = (host: string, task: string, status: 'ok' | 'changed', role = 'r'): RunEvent => ({
  type: 'task-end',
  host,
  role,
  task,
  module: 'copy',
  elapsedMs: 1,
  result: { status, changed: status === 'changed', changes: status === 'changed' ? [`${task} on ${host}`] : [], data: {} },
});

test('one JSON document, printed at close() and only once, nothing before', () => {
  const { out, before } = run(scriptedRun());
  assert.is(before, '');
  const doc: unknown = JSON.parse(out.text);
  assert.type(doc, 'object');
  assert.is(
    out.text
      .trimEnd()
      .split('\n')
      .filter((l) => l === '}').length,
    1,
    'a single top-level document',
  );
});

test('the document has the documented keys in a stable order', () => {
  const doc = JSON.parse(run(scriptedRun()).out.text) as Record<string, unknown>;
  assert.equal(Object.keys(doc), ['play', 'check', 'elapsedMs', 'roles', 'stats', 'failures', 'warnings', 'interrupted', 'changesPending']);
  assert.is(doc.play, 'site');
  assert.is(doc.check, false);
  assert.is(doc.elapsedMs, 12_345);
  assert.is(doc.interrupted, false);
  const roles = doc.roles as { name: string; tasks: { name: string; module: string; handler: boolean; hosts: Record<string, Record<string, unknown>> }[] }[];
  assert.equal(
    roles.map((r) => r.name),
    ['web', 'db'],
  );
  const web = roles[0]!;
  assert.equal(
    web.tasks.map((t) => [t.name, t.module, t.handler]),
    [
      ['Install nginx', 'apt', false],
      ['Write config', 'template', false],
      ['Run migration', 'command', false],
      ['restart nginx', 'service', true],
    ],
  );
  const writeConfig = web.tasks[1]!;
  assert.equal(Object.keys(writeConfig), ['name', 'module', 'handler', 'hosts']);
  assert.equal(Object.keys(writeConfig.hosts), ['web1', 'web10'], 'hosts in the play order');
  assert.equal(writeConfig.hosts.web1, {
    status: 'changed',
    changed: true,
    changes: ['update /etc/app.conf'],
    diff: '--- /etc/app.conf\n+++ /etc/app.conf\n@@ -1 +1 @@\n-token: old\n+token: no-secret-here\n',
    elapsedMs: 300,
  });
  assert.equal(writeConfig.hosts.web10, { status: 'failed', changed: false, changes: [], msg: 'missing variable app_token (no-secret-here)\nin templates/web/app.conf.hbs', elapsedMs: 100 });
  const stats = doc.stats as Record<string, Record<string, number>>;
  assert.equal(Object.keys(stats), ['web1', 'web10', 'db1']);
  assert.equal(stats.db1, { ok: 0, changed: 0, unreachable: 1, failed: 0, skipped: 0, elapsedMs: 3000 });
  assert.equal(doc.failures, [
    { host: 'web10', kind: 'failed', role: 'web', task: 'Write config', message: 'missing variable app_token (no-secret-here)\nin templates/web/app.conf.hbs' },
    { host: 'db1', kind: 'unreachable', message: 'db1: connect ECONNREFUSED 10.0.0.3:22' },
  ]);
});

test('warnings go to stderr as they happen; stdout holds only the document', () => {
  const { out, err } = run(scriptedRun());
  assert.equal(err.lines, ['[WARNING]: [web1] variable foo is deprecated (no-secret-here)']);
  assert.ok(out.text.startsWith('{'));
});

test('a run that never reached play-end prints nothing', () => {
  const { out } = run(scriptedRun().slice(0, 5));
  assert.is(out.text, '');
});

test('hosts finishing in any order give the same document', () => {
  const start: RunEvent = { type: 'play-start', play: 'p', hosts: ['a', 'b'], check: true };
  const role: RunEvent = { type: 'role-start', role: 'r', hosts: ['a', 'b'] };
  const stop: RunEvent = { type: 'play-end', play: 'p', stats: {}, elapsedMs: 1 };
  const one = run([start, role, end('a', 'x', 'ok'), end('b', 'x', 'ok'), stop]).out.text;
  const two = run([start, role, end('b', 'x', 'ok'), end('a', 'x', 'ok'), stop]).out.text;
  assert.is(one, two);
});

test('a task name repeated in a role is a second task; serial batches share one role entry', () => {
  const events: RunEvent[] = [
    { type: 'play-start', play: 'p', hosts: ['a', 'b'], check: false },
    { type: 'role-start', role: 'r', hosts: ['a'], batch: { index: 1, count: 2 } },
    end('a', 'write', 'changed'),
    end('a', 'write', 'ok'),
    { type: 'role-start', role: 'r', hosts: ['b'], batch: { index: 2, count: 2 } },
    end('b', 'write', 'ok'),
    end('b', 'write', 'changed'),
    { type: 'play-end', play: 'p', stats: {}, elapsedMs: 1 },
  ];
  const doc = JSON.parse(run(events).out.text) as { roles: { name: string; tasks: { hosts: Record<string, { status: string }> }[] }[] };
  assert.is(doc.roles.length, 1);
  const statuses = doc.roles[0]!.tasks.map((t) => Object.fromEntries(Object.entries(t.hosts).map(([h, r]) => [h, r.status])));
  assert.equal(statuses, [
    { a: 'changed', b: 'ok' },
    { a: 'ok', b: 'changed' },
  ]);
});

test('an ignored failure is marked ignored', () => {
  const events: RunEvent[] = [
    { type: 'play-start', play: 'p', hosts: ['a'], check: false },
    { type: 'task-end', host: 'a', role: 'r', task: 't', module: 'command', ignored: true, elapsedMs: 1, result: { status: 'failed', changed: false, changes: [], msg: 'rc=1', data: {} } },
    { type: 'play-end', play: 'p', stats: {}, elapsedMs: 1, interrupted: true },
  ];
  const doc = JSON.parse(run(events).out.text) as { interrupted: boolean; roles: { tasks: { hosts: Record<string, unknown> }[] }[] };
  assert.equal(doc.roles[0]!.tasks[0]!.hosts.a, { status: 'failed', changed: false, changes: [], msg: 'rc=1', ignored: true, elapsedMs: 1 });
  assert.is(doc.interrupted, true);
});

test.run();
