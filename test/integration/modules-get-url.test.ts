/**
 * getUrl on a real test-bed host (which has only python3 to download with), and on the controller
 * itself through a LocalConnection for the curl and wget paths. Files come from an HTTP server the
 * test owns on the bed's bridge address; it doubles as the proxy.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { rejects } from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Connection } from '../../lib/connection/connection.ts';
import { LocalConnection } from '../../lib/connection/local.ts';
import { ModuleArgsError, TaskFailedError } from '../../lib/errors.ts';
import { getUrl, type GetUrlArgs } from '../../lib/modules/get-url.ts';
import { secret } from '../../lib/secret.ts';
import { beforeAll } from '../support/before-all.ts';
import { startHttpFixture, type HttpFixture } from '../support/http-fixture.ts';
import { moduleHostOn, startModuleBed, type BedModuleHost } from '../support/module-host.ts';

let h: BedModuleHost;
let http: HttpFixture;
const local = mkdtempSync(join(tmpdir(), 'ploy-get-url-'));

const sha = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');
const K3S = Buffer.from(Array.from({ length: 200_000 }, (_, i) => (i * 7) % 256));

beforeAll(test, async () => {
  h = await startModuleBed('gu1');
  http = await startHttpFixture(h.bridge, h.bridge);
  http.route('/k3s/v1.30.1/k3s', { body: K3S });
  http.route('/k3s/v1.30.1/sha256sum-amd64.txt', { body: `${sha('other')}  k3s-airgap.tar\n${sha(K3S)}  k3s\n` });
  await h.sh('mkdir -p /opt/gu');
});
test.after(async () => {
  await http?.close();
  await h?.stop();
  rmSync(local, { recursive: true, force: true });
});

const run = (args: GetUrlArgs, options: { check?: boolean; vars?: Record<string, unknown> } = {}) => h.run(getUrl, args, options);
const K3S_ARGS = (): GetUrlArgs => ({ url: `${http.base}/k3s/v1.30.1/k3s`, dest: '/opt/gu/k3s', sha256: sha(K3S), mode: '0755' });

test('downloads on the host with python3, verified and 0755; a second run is ok in ONE channel without any request', async () => {
  const result = await run(K3S_ARGS());
  assert.is(result.status, 'changed');
  assert.equal(result.changes, [`download /opt/gu/k3s (sha256 ${sha(K3S).slice(0, 12)}…, mode 0755) from ${http.base}/k3s/v1.30.1/k3s`]);
  assert.is(result.data.fetcher, 'python3');
  assert.is(await h.sh('sha256sum < /opt/gu/k3s; stat -c "%a %U" /opt/gu/k3s'), `${sha(K3S)}  -\n755 root\n`);
  assert.is(await h.sh('ls -a /opt/gu'), '.\n..\nk3s\n', 'no temp file left');
  const requests = http.requests.length;
  let status = '';
  assert.is(await h.channels(async () => void (status = (await run(K3S_ARGS())).status)), 1);
  assert.is(status, 'ok');
  assert.is(http.requests.length, requests, 'nothing downloaded when the checksum matches');
});

test('a file changed by hand: check mode predicts the download and fetches nothing; converge restores it', async () => {
  await run(K3S_ARGS());
  await h.sh('echo tampered > /opt/gu/k3s');
  const requests = http.requests.length;
  const planned = await run(K3S_ARGS(), { check: true });
  assert.is(planned.status, 'changed');
  assert.match(planned.changes[0] ?? '', `replace /opt/gu/k3s (sha256 ${sha('tampered\n').slice(0, 12)}… -> ${sha(K3S).slice(0, 12)}…)`);
  assert.is(await h.sh('cat /opt/gu/k3s'), 'tampered\n', 'check mode changed nothing');
  assert.is(http.requests.length, requests);
  await run(K3S_ARGS());
  assert.is(await h.sh('sha256sum < /opt/gu/k3s'), `${sha(K3S)}  -\n`);
});

test('a checksum mismatch fails naming expected and actual, deletes the download and leaves dest alone', async () => {
  http.route('/evil', { body: 'not what you think' });
  const wrong = sha('something else');
  await rejects(
    () => run({ url: `${http.base}/evil`, dest: '/opt/gu/evil', sha256: wrong }),
    (error: Error) => error instanceof TaskFailedError && error.message.includes(`expected sha256 ${wrong}, got ${sha('not what you think')}`),
  );
  assert.is(await h.sh('ls -a /opt/gu'), '.\n..\nk3s\n');
});

test('checksumUrl: the line for the file name in a sha256sum list is used', async () => {
  const result = await run({ url: `${http.base}/k3s/v1.30.1/k3s`, checksumUrl: `${http.base}/k3s/v1.30.1/sha256sum-amd64.txt`, dest: '/opt/gu/k3s-2' });
  assert.equal([result.status, result.data.sha256], ['changed', sha(K3S)]);
  assert.is(await h.sh('sha256sum < /opt/gu/k3s-2; stat -c %a /opt/gu/k3s-2'), `${sha(K3S)}  -\n644\n`);
  assert.is((await run({ url: `${http.base}/k3s/v1.30.1/k3s`, checksumUrl: `${http.base}/k3s/v1.30.1/sha256sum-amd64.txt`, dest: '/opt/gu/k3s-2' })).status, 'ok');
});

test('ploy_download_mirror replaces the origin; ploy_http_proxy and secret headers reach the request, never a command line', async () => {
  http.route('/mirror/k3s-io/k3s/releases/download/v1/airgap.tar', { body: 'airgap' });
  const mirrored = await run(
    { url: 'https://github.example.invalid/k3s-io/k3s/releases/download/v1/airgap.tar', dest: '/opt/gu/airgap.tar', sha256: sha('airgap') },
    { vars: { ploy_download_mirror: `${http.base}/mirror/` } },
  );
  assert.is(mirrored.data.url, `${http.base}/mirror/k3s-io/k3s/releases/download/v1/airgap.tar`);
  assert.is(await h.sh('cat /opt/gu/airgap.tar'), 'airgap');

  http.route('/private/tool', { body: 'tool' });
  const token = secret('Bearer gu-secret-token-42');
  await run(
    { url: 'http://upstream.example.invalid/private/tool', dest: '/opt/gu/tool', sha256: sha('tool'), headers: { Authorization: token, 'X-Plain': 'yes' } },
    { vars: { ploy_http_proxy: http.base } },
  );
  const seen = http.requests.at(-1);
  assert.equal([seen?.proxied, seen?.url, seen?.headers.authorization, seen?.headers['x-plain']], [true, 'http://upstream.example.invalid/private/tool', 'Bearer gu-secret-token-42', 'yes']);
  for (const { command } of h.sent) assert.not.match(command, 'gu-secret-token-42');
});

test('retries with backoff: two 503s then success; without retries the failure names the URL and the attempts', async () => {
  http.route('/flaky', { body: 'finally', failFirst: 2 });
  const started = Date.now();
  assert.is((await run({ url: `${http.base}/flaky`, dest: '/opt/gu/flaky', sha256: sha('finally'), retries: 2 })).status, 'changed');
  assert.ok(Date.now() - started >= 3000, 'waited 1 s then 2 s');
  http.route('/flaky2', { body: 'x', failFirst: 1 });
  await rejects(
    () => run({ url: `${http.base}/flaky2`, dest: '/opt/gu/flaky2', sha256: sha('x'), retries: 0 }),
    (error: Error) => error instanceof TaskFailedError && error.message.includes(`download of ${http.base}/flaky2 failed after 1 attempt(s)`) && /503/.test(error.message),
  );
});

test('a missing directory is an error; bad arguments fail before any channel', async () => {
  await rejects(() => run({ ...K3S_ARGS(), dest: '/opt/none/k3s' }), /its directory \/opt\/none does not exist/);
  const before = h.connection.channelsOpened;
  await rejects(
    () => run({ url: `${http.base}/x`, dest: '/opt/gu/x' }),
    (error: Error) => error instanceof ModuleArgsError && /exactly one of sha256 and checksumUrl/.test(error.message),
  );
  await rejects(() => run({ url: 'ftp://x/y', dest: '/opt/gu/x', sha256: sha('') }), /field "url"/);
  await rejects(() => run({ url: `${http.base}/x`, dest: '/opt/gu/x', sha256: 'abc' }), /field "sha256".*64 hex digits/);
  await rejects(() => run({ ...K3S_ARGS(), retries: -1 }), /field "retries"/);
  await rejects(() => run({ ...K3S_ARGS(), headers: { 'Bad Name': 'x' } }), /field "headers"/);
  await rejects(() => run(K3S_ARGS(), { vars: { ploy_download_mirror: 'not-a-url' } }), /field "ploy_download_mirror"/);
  assert.is(h.connection.channelsOpened, before);
});

/** A PATH holding every program of /usr/bin and /usr/sbin except the hidden ones. */
function pathWithout(hidden: string[]): string {
  const dir = mkdtempSync(join(local, 'bin-'));
  for (const source of ['/usr/bin', '/usr/sbin']) {
    for (const name of readdirSync(source)) {
      if (hidden.includes(name)) continue;
      try {
        symlinkSync(join(source, name), join(dir, name));
      } catch {
        // a name in both directories: the first wins, as in PATH
      }
    }
  }
  return dir;
}

function withPath(inner: Connection, path: string): Connection {
  return {
    host: inner.host,
    get channelsOpened() {
      return inner.channelsOpened;
    },
    exec: (command, options = {}) => inner.exec(command, { ...options, env: { ...options.env, PATH: path } }),
    close: () => inner.close(),
  };
}

for (const [fetcher, hidden] of [
  ['curl', []],
  ['wget', ['curl']],
  ['python3', ['curl', 'wget']],
] as const) {
  test(`on the controller with ${fetcher}: download, proxy, secret header, mismatch`, async () => {
    const controller = moduleHostOn(withPath(new LocalConnection(), pathWithout([...hidden])), { vars: { ploy_http_proxy: http.base } });
    const dest = join(local, `k3s-${fetcher}`);
    const args: GetUrlArgs = { url: 'http://dl.example.invalid/k3s/v1.30.1/k3s', dest, sha256: sha(K3S), mode: '0750', headers: { Authorization: secret(`Bearer ${fetcher}-tok`) } };
    const result = await controller.run(getUrl, args);
    assert.equal([result.status, result.data.fetcher], ['changed', fetcher]);
    assert.ok(readFileSync(dest).equals(K3S));
    assert.is(statSync(dest).mode & 0o777, 0o750);
    const seen = http.requests.at(-1);
    assert.equal([seen?.proxied, seen?.headers.authorization], [true, `Bearer ${fetcher}-tok`]);
    assert.is((await controller.run(getUrl, args)).status, 'ok');
    await rejects(
      () => controller.run(getUrl, { ...args, dest: `${dest}-bad`, sha256: sha('nope') }),
      (error: Error) => error.message.includes(`expected sha256 ${sha('nope')}, got ${sha(K3S)}`),
    );
    assert.equal(
      readdirSync(local).filter((name) => name.startsWith('.ploy-') || name.endsWith('-bad')),
      [],
    );
  });
}

test.run();
