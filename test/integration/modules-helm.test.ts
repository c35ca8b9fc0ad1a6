/**
 * The helm module over SSH on a test-bed host, against the STAND-IN helm (test/fixtures/bin): no
 * cluster can run here, so the tests assert the exact commands helm received and the change
 * decisions (install, upgrade on a version or values change, never uninstall).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { rejects } from 'node:assert/strict';
import { CommandError, ModuleArgsError } from '../../lib/errors.ts';
import { helm, type HelmArgs } from '../../lib/modules/helm.ts';
import { secret } from '../../lib/secret.ts';
import { beforeAll } from '../support/before-all.ts';
import { startModuleBed, type BedModuleHost } from '../support/module-host.ts';
import { callWatcher, installStandins, resetStandins, STANDIN_STATE, type StandinCall } from '../support/standins.ts';

const HOST = 'helm1';
const RELEASES = `${STANDIN_STATE}/helm/releases.json`;

let h: BedModuleHost;
let calls: () => Promise<StandinCall[]>;

beforeAll(test, async () => {
  h = await startModuleBed(HOST);
  await installStandins(h);
});

test.after(() => h?.stop());

test.before.each(async () => {
  await resetStandins(h);
  calls = callWatcher(h);
});

const converge = (args: HelmArgs) => h.run(helm, args);
const check = (args: HelmArgs) => h.run(helm, args, { check: true, diff: true });
const argvs = (list: StandinCall[]) => list.map((call) => [call.tool, ...call.argv].join(' '));
const releases = async () => JSON.parse(await h.sh(`cat ${RELEASES}`)) as Record<string, { revision: string; chart: string; status: string; values: unknown; repo: string | null }>;

const KUBECONFIG = '/etc/rancher/k3s/k3s.yaml';
const certManager = (version: string, values: Record<string, unknown> = { crds: { enabled: true }, replicaCount: 2 }): HelmArgs => ({
  release: 'cert-manager',
  chart: 'jetstack/cert-manager',
  version,
  namespace: 'cert-manager',
  createNamespace: true,
  repo: { name: 'jetstack', url: 'https://charts.jetstack.io' },
  kubeconfig: KUBECONFIG,
  values,
  wait: true,
  timeoutS: 300,
});

const PROBE = [
  `helm list --namespace=cert-manager --kubeconfig=${KUBECONFIG} --all --output=json '--filter=^cert-manager$'`,
  `helm get values cert-manager --namespace=cert-manager --kubeconfig=${KUBECONFIG} --output=json`,
];
const UPGRADE = (version: string) =>
  `helm upgrade --install cert-manager cert-manager --version=${version} --namespace=cert-manager --kubeconfig=${KUBECONFIG} --create-namespace --repo=https://charts.jetstack.io --reset-values --wait --timeout=300s -f -`;

test('install: one probe, then upgrade --install with the values as JSON on stdin; the release is deployed', async () => {
  const result = await converge(certManager('v1.14.4'));
  assert.is(result.status, 'changed');
  assert.equal(result.changes, ['install release cert-manager (chart cert-manager-v1.14.4) in cert-manager']);
  const made = await calls();
  assert.equal(argvs(made), [...PROBE, UPGRADE('v1.14.4')].map((line) => line.replace(/'/g, '')));
  assert.equal(JSON.parse(made[2]?.stdin ?? ''), { crds: { enabled: true }, replicaCount: 2 });
  const release = (await releases())['cert-manager/cert-manager'];
  assert.equal([release?.chart, release?.revision, release?.status, release?.repo], ['cert-manager-v1.14.4', '1', 'deployed', 'https://charts.jetstack.io']);
  assert.equal(result.data, { release: 'cert-manager', namespace: 'cert-manager', chart: 'cert-manager-v1.14.4' });
});

test('converged: ok in one channel, only list and get values ran; values compare regardless of key order', async () => {
  await converge(certManager('v1.14.4'));
  await calls();
  const before = h.connection.channelsOpened;
  const again = await converge(certManager('1.14.4', { replicaCount: 2, crds: { enabled: true } }));
  assert.is(again.status, 'ok', 'same values in another key order, version without the v');
  assert.is(h.connection.channelsOpened - before, 1, 'one round trip');
  assert.equal(argvs(await calls()), PROBE.map((line) => line.replace(/'/g, '')));
});

test('drifted values: check mode predicts the upgrade with a values diff (secrets hidden) and changes nothing; converge upgrades in place', async () => {
  const values = { crds: { enabled: true }, registry: { user: 'bot', password: secret('helm-registry-s3cret') } };
  await converge(certManager('v1.14.4', values));
  await h.sh(`python3 -c "import json; p='${RELEASES}'; d=json.load(open(p)); d['cert-manager/cert-manager']['values']['registry']={'user':'someone','password':'old-hidden-pass'}; json.dump(d, open(p,'w'))"`);
  await calls();
  const planned = await check(certManager('v1.14.4', values));
  assert.is(planned.status, 'changed');
  assert.equal(planned.changes, ['upgrade release cert-manager in cert-manager: values differ']);
  assert.match(planned.diff ?? '', '-  user: someone\n+  user: bot');
  assert.match(planned.diff ?? '', '   password: "***"');
  assert.not.match(planned.diff ?? '', 'old-hidden-pass');
  assert.not.match(planned.diff ?? '', 'helm-registry-s3cret');
  assert.equal(argvs(await calls()), PROBE.map((line) => line.replace(/'/g, '')), 'check mode: the comparison only');
  assert.is((await releases())['cert-manager/cert-manager']?.revision, '1');
  const upgraded = await converge(certManager('v1.14.4', values));
  assert.is(upgraded.status, 'changed');
  const made = await calls();
  assert.equal(argvs(made).at(-1), UPGRADE('v1.14.4'));
  assert.match(made.at(-1)?.stdin ?? '', 'helm-registry-s3cret');
  for (const { command } of h.sent) assert.not.match(command, 'helm-registry-s3cret', 'values travel on stdin only');
  const release = (await releases())['cert-manager/cert-manager'];
  assert.equal([release?.revision, release?.values], ['2', { crds: { enabled: true }, registry: { user: 'bot', password: 'helm-registry-s3cret' } }]);
});

test('a new chart version upgrades (revision 2); a failed release is upgraded again; never uninstall', async () => {
  await converge(certManager('v1.14.4'));
  const bumped = await converge(certManager('v1.15.0'));
  assert.equal(bumped.changes, ['upgrade release cert-manager in cert-manager: chart cert-manager-v1.14.4 -> cert-manager-v1.15.0']);
  assert.equal(argvs(await calls()).at(-1), UPGRADE('v1.15.0'));
  assert.is((await releases())['cert-manager/cert-manager']?.revision, '2');
  await h.sh(`sed -i 's/"status": "deployed"/"status": "failed"/' ${RELEASES}`);
  const retried = await converge(certManager('v1.15.0'));
  assert.equal(retried.changes, ['upgrade release cert-manager in cert-manager: status is failed']);
  assert.equal((await releases())['cert-manager/cert-manager']?.status, 'deployed');
  const everything = argvs(await calls());
  assert.ok(everything.every((line) => !/uninstall|delete/.test(line)), 'never uninstall-then-install');
});

test('a chart without repo, no values: values compare as empty; the namespace must exist without createNamespace', async () => {
  const args: HelmArgs = { release: 'traefik-extra', chart: '/opt/charts/traefik-extra-1.2.0.tgz', version: '1.2.0', namespace: 'kube-system' };
  assert.is((await converge(args)).status, 'changed');
  assert.equal(argvs(await calls()).at(-1), 'helm upgrade --install traefik-extra /opt/charts/traefik-extra-1.2.0.tgz --version=1.2.0 --namespace=kube-system --reset-values -f -');
  assert.is((await converge(args)).status, 'ok', 'chart name taken from the file name, {} values equal none');
  await rejects(
    () => converge({ ...args, namespace: 'missing' }),
    (error: Error) => error instanceof CommandError && /helm upgrade --install traefik-extra failed \(rc=1\): Error: create: failed to create: namespaces "missing" not found/.test(error.message),
  );
});

test('a failing helm list fails the task with its stderr', async () => {
  await h.sh(`echo 'Error: Kubernetes cluster unreachable' > ${STANDIN_STATE}/helm/fail-next`);
  await rejects(() => converge(certManager('v1.14.4')), (error: Error) => error instanceof CommandError && /helm probe of release cert-manager failed \(rc=1\): Error: Kubernetes cluster unreachable/.test(error.message));
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
    [{ values: { when: new Date(0) } }, /field "values".*field values\.when is a Date/],
    [{ timeoutS: 0 }, /field "timeoutS"/],
    [{ uninstall: true }, /field "uninstall".*unknown argument/],
  ];
  for (const [override, message] of bad) {
    await rejects(() => converge({ ...certManager('v1.14.4'), ...override } as HelmArgs), (error: Error) => error instanceof ModuleArgsError && message.test(error.message));
  }
  assert.is(h.connection.channelsOpened, before);
  assert.equal(await calls(), []);
});

test.run();
