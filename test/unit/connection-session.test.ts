import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { PassThrough } from 'node:stream';
import { describeExit } from '../../lib/connection/connection.ts';
import { runSession, type ProcessEnd, type SessionIo } from '../../lib/connection/session.ts';

/** A process stand-in over in-memory streams: the session driver is what is under test. */
function fakeProcess(): { io: SessionIo; out: PassThrough; err: PassThrough; exit(code: number | null, signal?: string): void; killed: () => number; stdin: () => string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const stdin = new PassThrough();
  const input: Buffer[] = [];
  stdin.on('data', (b: Buffer) => input.push(b));
  let kills = 0;
  let finish: (end: ProcessEnd) => void = () => {};
  const ended = new Promise<ProcessEnd>((resolve) => (finish = resolve));
  const exit = (code: number | null, signal?: string): void => {
    stdout.end();
    stderr.end();
    setImmediate(() => finish({ code, ...(signal ? { signal } : {}) }));
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
  assert.equal(await result, { code: 3, stdout: ' out \n', stderr: 'err\n', timedOut: false });
});

test('a host-enforced timeout (124 after the deadline) is reported as -1, timed out', async () => {
  const p = fakeProcess();
  const result = runSession(p.io, { host: 'h', command: 'sleep', timeoutMs: 30, remoteTimeout: { fallbackMs: 5000 } });
  setTimeout(() => p.exit(124), 60);
  assert.equal(await result, { code: -1, stdout: '', stderr: 'timed out after 30 ms', timedOut: true, signal: 'SIGTERM' });
  assert.is(p.killed(), 0, 'the controller did not need to kill it');
});

test("124 before the deadline is the command's own exit code", async () => {
  const p = fakeProcess();
  const result = runSession(p.io, { host: 'h', command: 'exit 124', timeoutMs: 10_000, remoteTimeout: { fallbackMs: 5000 } });
  p.exit(124);
  assert.equal(await result, { code: 124, stdout: '', stderr: '', timedOut: false });
});

test('when the host does not stop the command, the controller kills it after the fallback delay', async () => {
  const p = fakeProcess();
  const result = runSession(p.io, { host: 'h', command: 'hang', timeoutMs: 20, remoteTimeout: { fallbackMs: 30 } });
  p.err.write('partial');
  assert.equal(await result, { code: -1, stdout: '', stderr: 'partial\ntimed out after 20 ms', timedOut: true });
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

test('a process killed by a signal: code -1, the signal, not timed out', async () => {
  const p = fakeProcess();
  const result = runSession(p.io, { host: 'h', command: 'sleep 9', timeoutMs: 10_000 });
  p.exit(null, 'SIGKILL');
  assert.equal(await result, { code: -1, stdout: '', stderr: '', timedOut: false, signal: 'SIGKILL' });
});

test('a host timeout that had to KILL (137 after the deadline) says so', async () => {
  const p = fakeProcess();
  const result = runSession(p.io, { host: 'h', command: 'trap "" TERM; sleep 9', timeoutMs: 20, remoteTimeout: { fallbackMs: 5000 } });
  setTimeout(() => p.exit(137), 40);
  const end = await result;
  assert.equal([end.code, end.timedOut, end.signal], [-1, true, 'SIGKILL']);
});

test('describeExit: rc, timed out, killed by a signal, killed', () => {
  assert.is(describeExit({ code: 2, timedOut: false }), 'rc=2');
  assert.is(describeExit({ code: -1, timedOut: true, signal: 'SIGTERM' }), 'timed out');
  assert.is(describeExit({ code: -1, timedOut: false, signal: 'SIGKILL' }), 'killed by SIGKILL');
  assert.is(describeExit({ code: -1, timedOut: false }), 'killed');
});

test.run();
