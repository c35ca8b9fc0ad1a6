import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Semaphore } from '../../lib/connection/semaphore.ts';

test('never more than the limit at once; waiters run in FIFO order', async () => {
  const semaphore = new Semaphore(3);
  let running = 0;
  let most = 0;
  const order: number[] = [];
  const gates: Array<() => void> = [];
  const tasks = Array.from({ length: 10 }, (_, i) =>
    semaphore.with(async () => {
      order.push(i);
      running++;
      most = Math.max(most, running);
      await new Promise<void>((resolve) => gates.push(resolve));
      running--;
    }),
  );
  while (order.length < 10) {
    await new Promise((r) => setImmediate(r));
    assert.ok(running <= 3);
    gates.shift()?.();
  }
  gates.forEach((open) => open());
  await Promise.all(tasks);
  assert.is(most, 3);
  assert.is(semaphore.peak, 3);
  assert.is(semaphore.held, 0);
  assert.equal(order, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
});

test('a slot is released when the task throws, and releasing twice is harmless', async () => {
  const semaphore = new Semaphore(1);
  await semaphore.with(async () => Promise.reject(new Error('boom'))).catch(() => {});
  const release = await semaphore.acquire();
  release();
  release();
  assert.is(semaphore.held, 0);
  assert.throws(() => new Semaphore(0), /positive integer/);
});

test.run();
