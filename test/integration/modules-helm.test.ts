/**
 * The helm module over SSH on a test-bed host, against the STAND-IN helm (test/fixtures/bin): no
 * cluster can run here, so the stand-in answers as Helm 3 does: it reads each chart's Chart.yaml
 * (from a chart repository the test serves over HTTP, or from a path on the host), keeps release
 * revisions and their states (pending while it works, failed when --wait runs out of --timeout,
 * left pending when killed), and refuses what helm refuses. The tests assert the commands helm
 * received and what the task decided.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { rejects } from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { CommandError, ModuleArgsError, TaskFailedError } from '../../lib/errors.ts';
import { helm, type HelmArgs } from '../../lib/modules/helm.ts';
import { secret } from '../../lib/secret.ts';
import { beforeAll } from '../support/before-all.ts';
import { startHttpFixture, type HttpFixture } from '../support/http-fixture.ts';
import { startModuleBed, type BedModuleHost } from '../support/module-host.ts';
import { callWatcher, clusterAway, installStandins, K3S_KUBECONFIG, resetStandins, STANDIN_STATE, type StandinCall } from '../support/standins.ts';

const HOST = 'helm1';
const RELEASES = `${STANDIN_STATE}/helm/releases.json`;

let h: BedModuleHost;
let repo: HttpFixture;
let calls: () => Promise<StandinCall[]>;
const work = mkdtempSync(join(tmpdir(), 'ploy-helm-charts-'));

/** A packaged chart as `helm package` makes it: DIR/Chart.yaml inside a .tgz. */
function packageChart(dir: string, chartYaml: Record<string, string>): Buffer {
  const root = join(work, `${chartYaml.name}-${chartYaml.version}`);
  mkdirSync(join(root, dir), { recursive: true });
  writeFileSync(join(root, dir, 'Chart.yaml'), stringify(chartYaml));
  const file = join(root, 'chart.tgz');
  execFileSync('tar', ['-czf', file, '-C', root, dir]);
  return readFileSync(file);
}

beforeAll(test, async () => {
  h = await startModuleBed(HOST);
  await installStandins(h);
  repo = await startHttpFixture(h.bridge, h.bridge);
  const versions = ['v1.14.4', 'v1.15.0'];
  for (const version of versions) repo.route(`/charts/cert-manager-${version}.tgz`, { body: packageChart('cert-manager', { apiVersion: 'v2', name: 'cert-manager', version, appVersion: version }) });
  repo.route('/index.yaml', {
    body: stringify({ apiVersion: 'v1', entries: { 'cert-manager': versions.map((version) => ({ name: 'cert-manager', version, urls: [`charts/cert-manager-${version}.tgz`] })) } }),
  });
});

test.after(async () => {
  await repo?.close();
  await h?.stop();
  rmSync(work, { recursive: true, force: true });
});

test.before.each(async () => {
  await resetStandins(h);
  calls = callWatcher(h);
});

const converge = (args: HelmArgs) => h.run(helm, args);
const check = (args: HelmArgs) => h.run(helm, args, { check: true, diff: true });
const argvs = (list: StandinCall[]) => list.map((call) => [call.tool, ...call.argv].join(' '));
type Revision = { revision: number; chart: { name: string; version: string }; status: string; values: unknown };
const revisions = async (key = 'cert-manager/cert-manager') => (JSON.parse(await h.sh(`cat ${RELEASES}`)) as Record<string, Revision[]>)[key] ?? [];
const last = async (key?: string) => (await revisions(key)).at(-1);

const certManager = (version: string, values: Record<string, unknown> = { crds: { enabled: true }, replicaCount: 2 }): HelmArgs => ({
  release: 'cert-manager',
  chart: 'jetstack/cert-manager',
  version,
  namespace: 'cert-manager',
  createNamespace: true,
  repo: { name: 'jetstack', url: repo.base },
  kubeconfig: K3S_KUBECONFIG,
  values,
  wait: true,
  timeoutS: 300,
});

const FLAGS = `--namespace=cert-manager --kubeconfig=${K3S_KUBECONFIG}`;
const PROBE = [`helm list ${FLAGS} --all --output=json --filter=^cert-manager$`, `helm get values cert-manager ${FLAGS} --output=json`];
const UPGRADE = (version: string, wait = '--wait --timeout=300s') =>
  `helm upgrade --install cert-manager cert-manager --version=${version} ${FLAGS} --create-namespace --repo=${repo.base} --reset-values ${wait} -f -`;

test('install from a chart repository: one probe, then upgrade --install with the values as JSON on stdin; the release records Chart.yaml; then ok in one channel', async () => {
  const result = await converge(certManager('v1.14.4'));
  assert.is(result.status, 'changed');
  assert.equal(result.changes, ['install release cert-manager (chart cert-manager-v1.14.4) in cert-manager']);
  const made = await calls();
  assert.equal(argvs(made), [...PROBE, UPGRADE('v1.14.4')]);
  assert.equal(JSON.parse(made[2]?.stdin ?? ''), { crds: { enabled: true }, replicaCount: 2 });
  const release = await last();
  assert.equal(
    [release?.revision, release?.chart, release?.status, release?.values],
    [1, { name: 'cert-manager', version: 'v1.14.4', appVersion: 'v1.14.4' }, 'deployed', { crds: { enabled: true }, replicaCount: 2 }],
  );
  assert.ok(
    repo.requests.some((r) => r.url === '/charts/cert-manager-v1.14.4.tgz'),
    'helm fetched the package',
  );
  assert.equal(result.data, { release: 'cert-manager', namespace: 'cert-manager', chart: 'cert-manager-v1.14.4' });
  const before = h.connection.channelsOpened;
  const again = await converge(certManager('1.14.4', { replicaCount: 2, crds: { enabled: true } }));
  assert.is(again.status, 'ok', 'same values in another key order, version without the v');
  assert.is(h.connection.channelsOpened - before, 1, 'one round trip');
  assert.equal(argvs(await calls()), PROBE);
});

test('drifted values: check mode predicts the upgrade with a values diff (secrets hidden) and changes nothing; converge upgrades in place', async () => {
  const values = { crds: { enabled: true }, registry: { user: 'bot', password: secret('helm-registry-s3cret') } };
  await converge(certManager('v1.14.4', values));
  await h.sh(
    `python3 -c "import json; p='${RELEASES}'; d=json.load(open(p)); d['cert-manager/cert-manager'][-1]['values']['registry']={'user':'someone','password':'old-hidden-pass'}; json.dump(d, open(p,'w'))"`,
  );
  await calls();
  const planned = await check(certManager('v1.14.4', values));
  assert.is(planned.status, 'changed');
  assert.equal(planned.changes, ['upgrade release cert-manager in cert-manager: values differ']);
  assert.match(planned.diff ?? '', '-  user: someone\n+  user: bot');
  assert.match(planned.diff ?? '', '   password: "***"');
  assert.not.match(planned.diff ?? '', 'old-hidden-pass');
  assert.not.match(planned.diff ?? '', 'helm-registry-s3cret');
  assert.equal(argvs(await calls()), PROBE, 'check mode: the comparison only');
  assert.is((await last())?.revision, 1);
  assert.is((await converge(certManager('v1.14.4', values))).status, 'changed');
  const made = await calls();
  assert.equal(argvs(made).at(-1), UPGRADE('v1.14.4'));
  for (const { command } of h.sent) assert.not.match(command, 'helm-registry-s3cret', 'values travel on stdin only');
  assert.equal([(await last())?.revision, (await last())?.values], [2, { crds: { enabled: true }, registry: { user: 'bot', password: 'helm-registry-s3cret' } }]);
});

test('a new chart version upgrades; a failed release is upgraded again; never uninstall', async () => {
  await converge(certManager('v1.14.4'));
  const bumped = await converge(certManager('v1.15.0'));
  assert.equal(bumped.changes, ['upgrade release cert-manager in cert-manager: chart cert-manager-v1.14.4 -> cert-manager-v1.15.0']);
  assert.equal(argvs(await calls()).at(-1), UPGRADE('v1.15.0'));
  assert.equal(
    (await revisions()).map((r) => [r.revision, r.status, r.chart.version]),
    [
      [1, 'superseded', 'v1.14.4'],
      [2, 'deployed', 'v1.15.0'],
    ],
  );
  await h.sh(`sed -i 's/"status": "deployed"/"status": "failed"/' ${RELEASES}`);
  const retried = await converge(certManager('v1.15.0'));
  assert.equal(retried.changes, ['upgrade release cert-manager in cert-manager: status is failed']);
  assert.equal((await last())?.status, 'deployed');
  await rejects(
    () => converge(certManager('v9.9.9')),
    (error: Error) => error instanceof CommandError && new RegExp(`Error: chart "cert-manager" version "v9.9.9" not found in ${repo.base} repository`).test(error.message),
  );
  assert.ok(
    argvs(await calls()).every((line) => !/uninstall|delete/.test(line)),
    'never uninstall-then-install',
  );
});

test('--wait and --timeout reach helm: resources not ready in time fail the release after timeoutS; a longer timeout lets it finish', async () => {
  await h.sh(`echo 20 > ${STANDIN_STATE}/helm/ready-after`);
  const started = performance.now();
  await rejects(
    () => converge({ ...certManager('v1.14.4'), timeoutS: 1 }),
    (error: Error) => error instanceof CommandError && /helm upgrade --install cert-manager failed \(rc=1\): Error: INSTALLATION FAILED: context deadline exceeded/.test(error.message),
  );
  const waited = performance.now() - started;
  assert.ok(waited >= 1_000 && waited < 20_000, `helm waited its --timeout=1s, not the 20 s the resources needed (${waited} ms)`);
  assert.equal((await last())?.status, 'failed');
  await h.sh(`echo 2 > ${STANDIN_STATE}/helm/ready-after`);
  const finished = await converge({ ...certManager('v1.14.4'), timeoutS: 10 });
  assert.equal(finished.changes, ['upgrade release cert-manager in cert-manager: status is failed']);
  assert.equal(argvs(await calls()).at(-1), UPGRADE('v1.14.4', '--wait --timeout=10s'));
  assert.equal((await last())?.status, 'deployed');
});

test('an interrupted run leaves the release pending: the task fails before touching it, says what to run, and after that converges', async () => {
  await converge(certManager('v1.14.4'));
  await h.sh(`echo 30 > ${STANDIN_STATE}/helm/ready-after`);
  // An operator's run killed during --wait (a lost SSH session, a ^C that took helm down hard).
  await h.sh(`echo '{}' | timeout -s KILL 2 helm upgrade --install cert-manager cert-manager --version=v1.15.0 ${FLAGS} --repo=${repo.base} --reset-values --wait --timeout=60s -f - || true`);
  assert.equal((await last())?.status, 'pending-upgrade');
  await calls();
  const stuck = (error: Error) =>
    error instanceof TaskFailedError &&
    /release cert-manager in cert-manager is pending-upgrade \(revision 2, since [^)]+\): a helm operation on it is running or was interrupted, and helm refuses any other \("another operation \(install\/upgrade\/rollback\) is in progress"\)\. Once no helm is at work on it, return it to revision 1, its last deployed one, with `helm rollback cert-manager 1 --namespace=cert-manager --kubeconfig=\/etc\/rancher\/k3s\/k3s\.yaml`, then run again/.test(
      error.message,
    );
  await rejects(() => check(certManager('v1.15.0')), stuck);
  await rejects(() => converge(certManager('v1.15.0')), stuck);
  assert.ok(
    argvs(await calls()).every((line) => !line.startsWith('helm upgrade')),
    'no upgrade was tried',
  );
  await h.sh(`rm ${STANDIN_STATE}/helm/ready-after && helm rollback cert-manager 1 ${FLAGS}`);
  assert.is((await converge(certManager('v1.15.0'))).status, 'changed');
  assert.equal(
    (await revisions()).map((r) => [r.revision, r.status]),
    [
      [1, 'superseded'],
      [2, 'pending-upgrade'],
      [3, 'superseded'],
      [4, 'deployed'],
    ],
  );
  assert.is((await converge(certManager('v1.15.0'))).status, 'ok');
});

test('an interrupted first install: the recovery is helm uninstall (no revision was ever deployed)', async () => {
  await h.sh(`echo 30 > ${STANDIN_STATE}/helm/ready-after`);
  await h.sh(
    `echo '{}' | timeout -s KILL 2 helm upgrade --install cert-manager cert-manager --version=v1.14.4 ${FLAGS} --create-namespace --repo=${repo.base} --reset-values --wait --timeout=60s -f - || true`,
  );
  assert.equal((await last())?.status, 'pending-install');
  await rejects(
    () => converge(certManager('v1.14.4')),
    (error: Error) =>
      error instanceof TaskFailedError &&
      /is pending-install \(revision 1, .*remove what the unfinished install left with `helm uninstall cert-manager --namespace=cert-manager --kubeconfig=\/etc\/rancher\/k3s\/k3s\.yaml` \(no revision of it was ever deployed\), then run again/.test(
        error.message,
      ),
  );
  await h.sh(`rm ${STANDIN_STATE}/helm/ready-after && helm uninstall cert-manager ${FLAGS}`);
  assert.is((await converge(certManager('v1.14.4'))).status, 'changed');
  assert.equal((await last())?.status, 'deployed');
});

test('a chart path on the host: helm records the name its Chart.yaml gives, whatever the file is called; the pinned version must be the one it holds', async () => {
  await h.sh(
    `mkdir -p /opt/charts/src/web && printf 'apiVersion: v2\\nname: web-app\\nversion: 1.2.0\\n' > /opt/charts/src/web/Chart.yaml && tar -czf /opt/charts/webapp-1.2.0.tgz -C /opt/charts/src web`,
  );
  const args: HelmArgs = { release: 'web', chart: '/opt/charts/webapp-1.2.0.tgz', version: '1.2.0', namespace: 'kube-system' };
  const first = await converge(args);
  assert.equal([first.status, first.changes], ['changed', ['install release web (chart web-app-1.2.0) in kube-system']]);
  assert.equal(argvs(await calls()), [
    'helm show chart /opt/charts/webapp-1.2.0.tgz',
    'helm list --namespace=kube-system --all --output=json --filter=^web$',
    'helm get values web --namespace=kube-system --output=json',
    'helm upgrade --install web /opt/charts/webapp-1.2.0.tgz --version=1.2.0 --namespace=kube-system --reset-values -f -',
  ]);
  assert.is((await last('kube-system/web'))?.chart.name, 'web-app');
  assert.is((await converge(args)).status, 'ok', 'the name came from Chart.yaml, so the release compares equal');
  await rejects(
    () => converge({ ...args, version: '1.3.0' }),
    (error: Error) =>
      error instanceof TaskFailedError &&
      /chart \/opt\/charts\/webapp-1\.2\.0\.tgz is version 1\.2\.0 \(its Chart\.yaml\), not 1\.3\.0: helm installs a chart path as it is and ignores --version/.test(error.message),
  );
  const later = { ...args, chart: '/opt/charts/not-copied-yet.tgz' };
  const planned = await check(later);
  assert.equal([planned.status, planned.msg], ['skipped', 'cannot predict: chart /opt/charts/not-copied-yet.tgz is not on the host yet']);
  await rejects(
    () => converge(later),
    (error: Error) => error instanceof CommandError && /Error: path "\/opt\/charts\/not-copied-yet\.tgz" not found/.test(error.message),
  );
  await rejects(
    () => converge({ ...args, namespace: 'missing', release: 'web2' }),
    (error: Error) => error instanceof CommandError && /Error: INSTALLATION FAILED: create: failed to create: namespaces "missing" not found/.test(error.message),
  );
});

test("a cluster that is not there yet: check mode cannot predict and says why; a real run fails with helm's message; --kubeconfig is what reaches the cluster", async () => {
  await clusterAway(h, 'no-kubeconfig');
  const args = { ...certManager('v1.14.4'), kubeconfig: undefined };
  const planned = await check(args);
  assert.equal(
    [planned.status, planned.msg],
    ['skipped', 'cannot predict: the cluster does not answer (Error: Kubernetes cluster unreachable: Get "http://localhost:8080/version": dial tcp 127.0.0.1:8080: connect: connection refused)'],
  );
  await rejects(
    () => converge(args),
    (error: Error) =>
      error instanceof CommandError && /helm upgrade --install cert-manager failed \(rc=1\): Error: Kubernetes cluster unreachable: Get "http:\/\/localhost:8080\/version"/.test(error.message),
  );
  const missing = await check(certManager('v1.14.4'));
  assert.equal(missing.msg, `cannot predict: the cluster does not answer (Error: Kubernetes cluster unreachable: stat ${K3S_KUBECONFIG}: no such file or directory)`);
  await resetStandins(h);
  await h.sh('rm /root/.kube/config');
  assert.is((await converge(certManager('v1.14.4'))).status, 'changed', 'with --kubeconfig the cluster answers though ~/.kube/config is gone');
});

test('a failing helm list fails the task with its stderr', async () => {
  await h.sh(`echo 'Error: list: failed to list: secrets is forbidden: User "bot" cannot list resource "secrets"' > ${STANDIN_STATE}/helm/fail-next`);
  await rejects(
    () => converge(certManager('v1.14.4')),
    (error: Error) => error instanceof CommandError && /helm list of release cert-manager failed \(rc=1\): Error: list: failed to list: secrets is forbidden/.test(error.message),
  );
});

test('bad arguments fail in validate, before any channel', async () => {
  const before = h.connection.channelsOpened;
  const bad: Array<[Partial<HelmArgs> & Record<string, unknown>, RegExp]> = [
    [{ version: '^1.14' }, /field "version".*pin one exact chart version/],
    [{ version: undefined }, /field "version"/],
    [{ release: 'Cert_Manager' }, /field "release".*release name/],
    [{ namespace: undefined }, /field "namespace"/],
    [{ repo: { name: 'jetstack', url: 'ftp://x' } }, /repo\.url must be an http\(s\)/],
    [{ chart: 'bitnami/cert-manager' }, /names repository "bitnami" but repo\.name is "jetstack"/],
    [{ chart: 'cert-manager', repo: undefined }, /field "chart".*names no repository/],
    [{ chart: './charts/web' }, /field "chart".*must be absolute on the host/],
    [{ chart: '/opt/charts/web.tgz' }, /field "chart".*a chart path on the host needs no repo/],
    [{ chart: 'oci://quay.io/jetstack/cert-manager:v1.14.4', repo: undefined }, /field "chart".*not as a tag/],
    [{ values: { when: new Date(0) } }, /field "values".*field values\.when is a Date/],
    [{ timeoutS: 0 }, /field "timeoutS"/],
    [{ uninstall: true }, /field "uninstall".*unknown argument/],
  ];
  for (const [override, message] of bad) {
    await rejects(
      () => converge({ ...certManager('v1.14.4'), ...override } as HelmArgs),
      (error: Error) => error instanceof ModuleArgsError && message.test(error.message),
      JSON.stringify(override),
    );
  }
  assert.is(h.connection.channelsOpened, before);
  assert.equal(await calls(), []);
});

test.run();
