import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { withFileLock } from '../testbed/file-lock.ts';

const dir = mkdtempSync(join(tmpdir(), 'ploy-lock-test-'));
const lock = join(dir, 'lock');

test.after(() => rmSync(dir, { recursive: true, force: true }));

async function rejection(fn: () => Promise<unknown>): Promise<string> {
  try {
    await fn();
  } catch (error) {
    return (error as Error).message;
  }
  assert.unreachable('expected a rejection');
  return '';
}

test('holders of the same lock file run one after the other', async () => {
  const events: string[] = [];
  const holder = (name: string, ms: number) =>
    withFileLock(lock, async () => {
      events.push(`${name} in`);
      await sleep(ms);
      events.push(`${name} out`);
      return name;
    });
  const first = holder('a', 300);
  await sleep(100);
  const second = holder('b', 10);
  assert.equal(await Promise.all([first, second]), ['a', 'b']);
  assert.equal(events, ['a in', 'a out', 'b in', 'b out']);
});

test('the lock is released when the work throws', async () => {
  assert.match(await rejection(() => withFileLock(lock, async () => Promise.reject(new Error('build failed')))), /build failed/);
  const started = Date.now();
  await withFileLock(lock, async () => undefined);
  assert.ok(Date.now() - started < 2000, 'the lock was still held after a failure');
});

test('a lock that cannot be taken is an error naming the path', async () => {
  assert.match(await rejection(() => withFileLock(join(dir, 'missing-dir', 'lock'), async () => undefined)), /cannot lock .*missing-dir\/lock/);
});

test.run();
