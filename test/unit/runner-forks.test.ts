import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { defineModule } from '../../lib/module.ts';
import { defineRole, definePlay } from '../../lib/role.ts';
import { runPlay } from '../../lib/runner/run-play.ts';
import { batchSize, splitBatches } from '../../lib/runner/serial.ts';
import { CountingPool, RecordingReporter, localInventory, runOptions } from './runner-support.ts';

/** Counts how many hosts are inside the module at once, around a real 150 ms command. */
function concurrencyProbe() {
  const seen = { now: 0, max: 0 };
  const module = defineModule<{ ms: number }>({
    name: 'concurrency_probe',
    validate: (args) => args,
    async plan(ctx, args) {
      seen.now++;
      seen.max = Math.max(seen.max, seen.now);
      try {
        await ctx.exec(`sleep ${args.ms / 1000}`);
      } finally {
        seen.now--;
      }
      return { changes: [] };
    },
  });
  return { seen, module };
}

const sixHosts = () => localInventory(Object.fromEntries(['h1', 'h2', 'h3', 'h4', 'h5', 'h6'].map((h) => [h, {}])));

test('no more than forks hosts are in flight at once, and forks are used', async () => {
  const { seen, module } = concurrencyProbe();
  const role = defineRole({
    name: 'probe',
    hosts: 'all',
    defaults: {},
    async run(t) {
      await t.run('wait', module, { ms: 150 });
    },
  });
  const pool = new CountingPool();
  const summary = await runPlay(definePlay({ name: 'p', roles: [role] }), runOptions(sixHosts(), pool, { forks: 2 }), new RecordingReporter());
  assert.is(summary.exitCode, 0);
  assert.is(seen.max, 2);
  assert.is(
    Object.values(summary.stats).reduce((n, s) => n + s.ok, 0),
    6,
  );
});

test('forks=1 runs hosts one after the other; a large forks runs them all at once', async () => {
  for (const [forks, expected] of [
    [1, 1],
    [50, 6],
  ] as const) {
    const { seen, module } = concurrencyProbe();
    const role = defineRole({
      name: 'probe',
      hosts: 'all',
      defaults: {},
      async run(t) {
        await t.run('wait', module, { ms: 150 });
      },
    });
    await runPlay(definePlay({ name: 'p', roles: [role] }), runOptions(sixHosts(), new CountingPool(), { forks }), new RecordingReporter());
    assert.is(seen.max, expected, `forks=${forks}`);
  }
});

test('serial batches run in order: batch k+1 starts only when batch k is done', async () => {
  const { module } = concurrencyProbe();
  const role = defineRole({
    name: 'rolling',
    hosts: 'all',
    serial: 4,
    defaults: {},
    async run(t) {
      await t.run('first', module, { ms: 50 });
      await t.run('second', module, { ms: 50 });
    },
  });
  const reporter = new RecordingReporter();
  await runPlay(definePlay({ name: 'p', roles: [role] }), runOptions(sixHosts(), new CountingPool()), reporter);
  const starts = reporter.of('role-start');
  assert.equal(
    starts.map((e) => e.hosts),
    [
      ['h1', 'h2', 'h3', 'h4'],
      ['h5', 'h6'],
    ],
  );
  assert.equal(
    starts.map((e) => e.batch),
    [
      { index: 1, count: 2 },
      { index: 2, count: 2 },
    ],
  );
  const order = reporter.events.filter((e) => e.type === 'task-start' || e.type === 'task-end');
  const lastOfBatch1 = Math.max(...order.map((e, i) => (['h1', 'h2', 'h3', 'h4'].includes((e as { host: string }).host) ? i : -1)));
  const firstOfBatch2 = order.findIndex((e) => ['h5', 'h6'].includes((e as { host: string }).host));
  assert.ok(lastOfBatch1 < firstOfBatch2, 'batch 2 started before batch 1 was done');
});

test('hosts do not run in lock-step: a fast host finishes its tasks while a slow one is on its first', async () => {
  const { module } = concurrencyProbe();
  const role = defineRole({
    name: 'r',
    hosts: 'all',
    defaults: {},
    async run(t) {
      const slow = t.host.name === 'slow';
      await t.run('one', module, { ms: slow ? 600 : 20 });
      await t.run('two', module, { ms: 20 });
      await t.run('three', module, { ms: 20 });
    },
  });
  const reporter = new RecordingReporter();
  await runPlay(definePlay({ name: 'p', roles: [role] }), runOptions(localInventory({ slow: {}, fast: {} }), new CountingPool()), reporter);
  const ends = reporter.of('task-end').map((e) => `${e.host}:${e.task}`);
  assert.ok(ends.indexOf('fast:three') < ends.indexOf('slow:one'), ends.join(' '));
});

test('batch sizes follow Ansible: a number, or a percentage rounded down but at least 1', () => {
  assert.is(batchSize(undefined, 7, 'r'), 7);
  assert.is(batchSize(3, 7, 'r'), 3);
  assert.is(batchSize(10, 7, 'r'), 7);
  assert.is(batchSize('30%', 10, 'r'), 3);
  assert.is(batchSize('30%', 7, 'r'), 2);
  assert.is(batchSize('10%', 3, 'r'), 1);
  assert.is(batchSize('100%', 4, 'r'), 4);
  assert.equal(splitBatches(['a', 'b', 'c', 'd', 'e'], 2, 'r'), [['a', 'b'], ['c', 'd'], ['e']]);
  assert.equal(splitBatches([], 2, 'r'), []);
  assert.throws(() => batchSize(0, 3, 'k3s'), /role k3s: serial must be a positive whole number/);
  assert.throws(() => batchSize('150%', 3, 'k3s'), /role k3s: serial must be .* percentage/);
  assert.throws(() => batchSize('abc' as `${number}%`, 3, 'k3s'), /got "abc"/);
});

test('when every host of a serial batch fails, the role stops there; hosts of later batches run later roles', async () => {
  const { module } = concurrencyProbe();
  const rolling = defineRole({
    name: 'rolling',
    hosts: 'all',
    serial: 2,
    defaults: {},
    async run(t) {
      if (t.host.name === 'h1' || t.host.name === 'h2') t.fail('join failed');
      await t.run('join', module, { ms: 1 });
    },
  });
  const after = defineRole({
    name: 'after',
    hosts: 'all',
    defaults: {},
    async run(t) {
      await t.run('after', module, { ms: 1 });
    },
  });
  const reporter = new RecordingReporter();
  const inventory = localInventory({ h1: {}, h2: {}, h3: {}, h4: {} });
  const summary = await runPlay(definePlay({ name: 'p', roles: [rolling, after] }), runOptions(inventory, new CountingPool()), reporter);
  assert.is(summary.exitCode, 2);
  assert.equal(reporter.results().sort(), ['h3 after ok', 'h4 after ok']);
  assert.match(reporter.of('warning')[0]?.message ?? '', /every host of batch 1\/2 failed; not running it on h3, h4/);
});

test.run();
