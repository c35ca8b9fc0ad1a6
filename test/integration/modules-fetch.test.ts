/** fetch from a real test-bed host (as deploy with sudo) to controller files. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { rejects } from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ModuleArgsError, TaskFailedError } from '../../lib/errors.ts';
import { fetch, type FetchArgs, type FetchData } from '../../lib/modules/fetch.ts';
import type { TaskResult } from '../../lib/result.ts';
import { beforeAll } from '../support/before-all.ts';
import { startModuleBed, type BedModuleHost } from '../support/module-host.ts';

let h: BedModuleHost;
const project = mkdtempSync(join(tmpdir(), 'ploy-fetch-'));

const KUBECONFIG = 'apiVersion: v1\nclusters:\n- cluster:\n    server: https://127.0.0.1:6443\n  name: default\nusers:\n- name: default\n  user:\n    client-key-data: S0VZLWZldGNoLXNlY3JldA==\n';

beforeAll(test, async () => {
  h = await startModuleBed('fe1');
  await h.sh(`mkdir -p /etc/rancher/k3s && printf '%s' '${KUBECONFIG}' > /etc/rancher/k3s/k3s.yaml && chmod 0600 /etc/rancher/k3s/k3s.yaml`);
});
test.after(async () => {
  await h?.stop();
  rmSync(project, { recursive: true, force: true });
});

const run = (args: FetchArgs, options: { check?: boolean; diff?: boolean } = {}) => h.run(fetch, args, { projectDir: project, ...options });
const KUBE = (): FetchArgs => ({
  src: '/etc/rancher/k3s/k3s.yaml',
  dest: 'fetched/{host}/kubeconfig',
  transform: (text) => text.replace('https://127.0.0.1:6443', `https://${h.bed.host('fe1').ip}:6443`),
});
const localKube = () => join(project, 'fetched', 'fe1', 'kubeconfig');

test('a root-only kubeconfig arrives rewritten, 0600, under {host}; a second run is ok in ONE channel', async () => {
  const result = await run(KUBE());
  assert.is(result.status, 'changed');
  assert.equal(result.changes, [`fetch fe1:/etc/rancher/k3s/k3s.yaml to ${localKube()} (${KUBECONFIG.length + h.bed.host('fe1').ip.length - 9} bytes, mode 0600)`]);
  assert.is(readFileSync(localKube(), 'utf8'), KUBECONFIG.replace('127.0.0.1', h.bed.host('fe1').ip));
  assert.is(statSync(localKube()).mode & 0o777, 0o600);
  let again: TaskResult<FetchData> | undefined;
  assert.is(await h.channels(async () => (again = await run(KUBE()))), 1);
  assert.is(again?.status, 'ok');
});

test('the controller copy edited by hand: check mode shows the diff and writes nothing; converge restores it', async () => {
  await run(KUBE());
  writeFileSync(localKube(), readFileSync(localKube(), 'utf8').replace('name: default\nusers', 'name: edited\nusers'));
  const planned = await run(KUBE(), { check: true, diff: true });
  assert.equal([planned.status, planned.changes], ['changed', [`update ${localKube()} from fe1:/etc/rancher/k3s/k3s.yaml`]]);
  assert.match(planned.diff ?? '', '-  name: edited\n+  name: default\n');
  assert.match(readFileSync(localKube(), 'utf8'), 'name: edited', 'check mode wrote nothing');
  await run(KUBE());
  assert.not.match(readFileSync(localKube(), 'utf8'), 'edited');
  assert.equal(readdirSync(join(project, 'fetched', 'fe1')), ['kubeconfig'], 'no temp file left');
});

test('the host file changes: the controller copy follows; mode drift alone is a chmod', async () => {
  await h.sh("sed -i 's/name: default/name: k3s-ha/' /etc/rancher/k3s/k3s.yaml");
  assert.is((await run(KUBE())).status, 'changed');
  assert.match(readFileSync(localKube(), 'utf8'), 'name: k3s-ha');
  assert.equal((await run({ ...KUBE(), mode: '0640' })).changes, [`${localKube()}: mode 0600 -> 0640`]);
  assert.is(statSync(localKube()).mode & 0o777, 0o640);
});

test('secret: the diff is a note, never the content', async () => {
  const args: FetchArgs = { src: '/etc/rancher/k3s/k3s.yaml', dest: join(project, 'secret.yaml'), secret: true };
  const planned = await run(args, { check: true, diff: true });
  assert.is(planned.diff, `${join(project, 'secret.yaml')}: content differs (hidden: it holds secrets)\n`);
  await run(args);
  assert.match(readFileSync(join(project, 'secret.yaml'), 'utf8'), 'client-key-data');
});

test('binary files arrive byte for byte', async () => {
  await h.sh('head -c 3000 /dev/urandom > /tmp/blob');
  await run({ src: '/tmp/blob', dest: 'blob' });
  const remote = await h.sh('sha256sum < /tmp/blob');
  const { createHash } = await import('node:crypto');
  assert.is(
    `${createHash('sha256')
      .update(readFileSync(join(project, 'blob')))
      .digest('hex')}  -\n`,
    remote,
  );
});

test('a missing src fails unless failOnMissing is false; a directory is refused; bad arguments touch nothing', async () => {
  await rejects(
    () => run({ src: '/etc/none', dest: 'none' }),
    (error: Error) => error instanceof TaskFailedError && /\/etc\/none does not exist on the host/.test(error.message),
  );
  assert.is((await run({ src: '/etc/none', dest: 'none', failOnMissing: false })).status, 'ok');
  assert.not.ok(existsSync(join(project, 'none')));
  await rejects(() => run({ src: '/etc', dest: 'etc' }), /\/etc is a directory/);
  const before = h.connection.channelsOpened;
  await rejects(() => run({ src: 'etc/hosts', dest: 'x' }), ModuleArgsError);
  await rejects(() => run({ src: '/etc/hosts', dest: 'dir/' }), /field "dest"/);
  await rejects(() => run({ src: '/etc/hosts', dest: 'x', transform: 'upper' as unknown as (t: string) => string }), /field "transform"/);
  assert.is(h.connection.channelsOpened, before);
});

test.run();
