/** waitFor on a real test-bed host: ports opened and closed by real processes, files, drained connections, timeouts. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { rejects } from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { ModuleArgsError, TaskFailedError } from '../../lib/errors.ts';
import { waitFor, type WaitForArgs, type WaitForData } from '../../lib/modules/wait-for.ts';
import type { TaskResult } from '../../lib/result.ts';
import { quote } from '../../lib/shell.ts';
import { beforeAll } from '../support/before-all.ts';
import { startModuleBed, type BedModuleHost } from '../support/module-host.ts';

let h: BedModuleHost;
let controllerPort: Server;

beforeAll(test, async () => {
  h = await startModuleBed('wf1');
  controllerPort = createServer((socket) => socket.end());
  await new Promise<void>((resolve) => controllerPort.listen(0, h.bridge, resolve));
});
test.after(async () => {
  controllerPort?.close();
  await h?.sh('pkill -f ploy-wait-fixture- || true').catch(() => undefined);
  await h?.stop();
});

/** Start a process inside the host, detached, after `after` seconds (its command line names it as a fixture). */
const later = (after: number, command: string) => h.sh(`setsid -f sh -c ${quote(`sleep ${after}; exec ${command}`)} >/dev/null 2>&1 < /dev/null`);
const python = (program: string, marker: string) => `python3 -c ${quote(program)} ploy-wait-fixture-${marker}`;
const SERVE = (port: number) => python(`import http.server as s; s.HTTPServer(('127.0.0.1', ${port}), s.SimpleHTTPRequestHandler).serve_forever()`, String(port));

async function timed(args: WaitForArgs, check = false): Promise<{ result: TaskResult<WaitForData>; ms: number; channels: number }> {
  const started = Date.now();
  let result: TaskResult<WaitForData> | undefined;
  const channels = await h.channels(async () => (result = await h.run(waitFor, args, { check })));
  return { result: result as TaskResult<WaitForData>, ms: Date.now() - started, channels };
}

test('started: waits for a port a service opens 2 s later, in ONE channel, never a change', async () => {
  await later(2, SERVE(8080));
  const { result, ms, channels } = await timed({ port: 8080, timeoutS: 30, sleepS: 0.5 });
  assert.equal([result.status, result.changed, channels], ['ok', false, 1]);
  assert.ok(ms >= 1500 && ms < 10_000, `took ${ms} ms`);
  assert.ok((result.data.elapsedS ?? -1) >= 1);
  assert.is((await timed({ port: 8080, timeoutS: 5 }, true)).result.status, 'ok', 'check mode polls too: it is a read');
});

test('stopped: waits until the port is closed', async () => {
  await h.sh('pgrep -f ploy-wait-fixture-8080 >/dev/null');
  await later(2, 'pkill -f ploy-wait-fixture-8080');
  const { result, ms } = await timed({ port: 8080, state: 'stopped', timeoutS: 30, sleepS: 0.5 });
  assert.is(result.status, 'ok');
  assert.ok(ms >= 1500, `took ${ms} ms`);
});

test('host: a port elsewhere, as the host sees it (here: the controller on the bridge)', async () => {
  const port = (controllerPort.address() as { port: number }).port;
  assert.is((await timed({ port, host: h.bridge, timeoutS: 10 })).result.status, 'ok');
});

test('a timeout fails after about timeoutS, naming what was awaited; msg replaces the message', async () => {
  const started = Date.now();
  await rejects(
    () => h.run(waitFor, { port: 8099, timeoutS: 2, sleepS: 0.5 }),
    (error: Error) => error instanceof TaskFailedError && /timed out after 2(\.\d)? s waiting for 127.0.0.1:8099 to accept connections/.test(error.message),
  );
  const ms = Date.now() - started;
  assert.ok(ms >= 1800 && ms < 8000, `took ${ms} ms`);
  await rejects(() => h.run(waitFor, { path: '/nope', timeoutS: 0, msg: 'the agent never wrote its config' }), /^.*the agent never wrote its config$/);
});

test('path: present with a regexp (the first matching line is returned), then absent', async () => {
  await h.sh('echo starting > /tmp/agent.log');
  await later(1, `sh -c ${quote("echo 'node wf1 is Ready' >> /tmp/agent.log")}`);
  const { result } = await timed({ path: '/tmp/agent.log', searchRegex: 'is (Ready|Running)$', timeoutS: 20, sleepS: 0.3 });
  assert.equal([result.status, result.data.matchedLine], ['ok', 'node wf1 is Ready']);
  await later(1, 'rm -f /tmp/agent.log');
  const gone = await timed({ path: '/tmp/agent.log', state: 'absent', timeoutS: 20, sleepS: 0.3 });
  assert.ok(gone.ms >= 800, `took ${gone.ms} ms`);
  await rejects(() => h.run(waitFor, { path: '/etc/hostname', searchRegex: '(', timeoutS: 5 }), /not a valid extended regular expression \(grep -E\): \(/);
});

test('drained: waits until the last connection on the port has closed', async () => {
  const server = [
    'import socket',
    "s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(('127.0.0.1', 8081)); s.listen()",
    'c, _ = s.accept()',
    'while c.recv(100): pass',
    'c.close()',
  ].join('\n');
  await later(0, python(server, 'drain-server'));
  await later(0.5, python("import socket, time; c = socket.create_connection(('127.0.0.1', 8081)); time.sleep(2.5); c.close()", 'drain-client'));
  await new Promise((resolve) => setTimeout(resolve, 1000));
  assert.is(await established(8081), 1, "the client's connection to 8081 is up (not just the listening socket)");
  const { result, ms } = await timed({ port: 8081, state: 'drained', timeoutS: 30, sleepS: 0.3 });
  assert.is(result.status, 'ok');
  assert.ok(ms >= 1000, `took ${ms} ms: the connection was still open at first`);
  assert.is(await established(8081), 0, 'and it returned once the connection was gone');
});

/** ESTABLISHED (st 01) sockets whose local port is `port`, from the host's /proc/net/tcp; LISTEN (0A) lines do not count. */
async function established(port: number): Promise<number> {
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  const lines = (await h.sh('cat /proc/net/tcp')).split('\n').slice(1);
  return lines.map((line) => line.trim().split(/\s+/)).filter((f) => f[1]?.endsWith(`:${hex}`) && f[3] === '01').length;
}

test('no port nor path: sleeps timeoutS', async () => {
  const { result, ms } = await timed({ timeoutS: 2 });
  assert.is(result.status, 'ok');
  assert.ok(ms >= 1900, `took ${ms} ms`);
});

test('bad arguments fail in validate, before any channel', async () => {
  const before = h.connection.channelsOpened;
  const bad: Array<[WaitForArgs, RegExp]> = [
    [{ port: 70000 }, /field "port"/],
    [{ port: 80, path: '/x' }, /a port or for a path, not both/],
    [{ path: '/x', state: 'drained' }, /'drained' needs a port/],
    [{ port: 80, searchRegex: 'x' }, /give path/],
    [{ path: '/x', state: 'absent', searchRegex: 'x' }, /no meaning with state 'absent'/],
    [{ port: 80, host: 'a/b' }, /field "host"/],
    [{ path: 'rel' }, /field "path"/],
    [{ state: 'started' }, /needs a port or a path/],
    [{ port: 80, timeoutS: -1 }, /field "timeoutS"/],
  ];
  for (const [args, pattern] of bad) {
    await rejects(
      () => h.run(waitFor, args),
      (error: Error) => error instanceof ModuleArgsError && pattern.test(error.message),
    );
  }
  assert.is(h.connection.channelsOpened, before);
});

test.run();
