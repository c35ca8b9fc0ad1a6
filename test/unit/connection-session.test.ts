import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { PassThrough } from 'node:stream';
import { runSession, type SessionIo } from '../../lib/connection/session.ts';

/** A process stand-in over in-memory streams: the session driver is what is under test. */
function fakeProcess(): { io: SessionIo; out: PassThrough; err: PassThrough; exit(code: number | null): void; killed: () => number; stdin: () => string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const stdin = new PassThrough();
  const input: Buffer[] = [];
  stdin.on('data', (b: Buffer) => input.push(b));
  let kills = 0;
  let finish: (code: number | null) => void = () => {};
  const ended = new Promise<number | null>((resolve) => (finish = resolve));
  const exit = (code: number | null): void => {
    stdout.end();
    stderr.end();
    setImmediate(() => finish(code));
  };
  return {
    io: { stdout, stderr, stdin, kill: () => (kills++, exit(null)), ended },
    out: stdout,
    err: stderr,
    exit,
    killed: () => kills,
    stdin: () => Buffer.concat(input).toString(),
  };
}

test('output is collected untrimmed and stdin is written and closed', async () => {
  const p = fakeProcess();
  const result = runSession(p.io, { host: 'h', command: 'cat', stdin: 'in put\n' });
  p.out.write(' out \n');
  p.err.write('err\n');
  await new Promise((r) => setImmediate(r));
  assert.is(p.stdin(), 'in put\n');
  p.exit(3);
  assert.equal(await result, { code: 3, stdout: ' out \n', stderr: 'err\n' });
});

test('a host-enforced timeout (124 after the deadline) is reported as -1, timed out', async () => {
  const p = fakeProcess();
  const result = runSession(p.io, { host: 'h', command: 'sleep', timeoutMs: 30, remoteTimeout: { fallbackMs: 5000 } });
  setTimeout(() => p.exit(124), 60);
  assert.equal(await result, { code: -1, stdout: '', stderr: 'timed out after 30 ms' });
  assert.is(p.killed(), 0, 'the controller did not need to kill it');
});

test('124 before the deadline is the command\'s own exit code', async () => {
  const p = fakeProcess();
  const result = runSession(p.io, { host: 'h', command: 'exit 124', timeoutMs: 10_000, remoteTimeout: { fallbackMs: 5000 } });
  p.exit(124);
  assert.equal(await result, { code: 124, stdout: '', stderr: '' });
});

test('when the host does not stop the command, the controller kills it after the fallback delay', async () => {
  const p = fakeProcess();
  const result = runSession(p.io, { host: 'h', command: 'hang', timeoutMs: 20, remoteTimeout: { fallbackMs: 30 } });
  p.err.write('partial');
  assert.equal(await result, { code: -1, stdout: '', stderr: 'partial\ntimed out after 20 ms' });
  assert.is(p.killed(), 1);
});

test("the host's timeout exit (124) counts from when the command was asked for, not from when its channel opened", async () => {
  const opened = fakeProcess();
  // The channel took 900 ms to open under load; the host's 800 ms deadline ran meanwhile.
  const late = runSession(opened.io, { host: 'h', command: 'sleep 9', timeoutMs: 800, remoteTimeout: { fallbackMs: 5000, requestedAt: Date.now() - 900 } });
  opened.exit(124);
  const result = await late;
  assert.is(result.code, -1);
  assert.match(result.stderr, 'timed out after 800 ms');
  const own = fakeProcess();
  const early = runSession(own.io, { host: 'h', command: 'exit 124', timeoutMs: 800, remoteTimeout: { fallbackMs: 5000, requestedAt: Date.now() } });
  own.exit(124);
  assert.is((await early).code, 124, 'a command that exits 124 by itself before the deadline keeps its code');
});

test.run();
