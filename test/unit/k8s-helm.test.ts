import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { throws } from 'node:assert/strict';
import { deployedVersion, helmProbeScript, releaseEntry, releaseValues, sameVersion, splitHelmProbe, upgradeCommand } from '../../lib/k8s/helm-release.ts';
import { lastGoodRevision, stuckMessage } from '../../lib/k8s/helm-states.ts';
import { hideAt, sameValues, valuesDiff } from '../../lib/k8s/helm-values.ts';
import { toPlain } from '../../lib/k8s/plain.ts';
import { secret } from '../../lib/secret.ts';

const target = { release: 'cert-manager', namespace: 'cert-manager' };
const entry = '{"name":"cert-manager","namespace":"cert-manager","revision":"3","updated":"x","status":"deployed","chart":"cert-manager-v1.14.4","app_version":"v1.14.4"}';

interface Fake {
  list: { out: string; rc: number };
  values?: { out: string; rc: number };
  chart?: { out: string; rc: number };
}

/** Run the probe script with stand-in helm shell functions, as /bin/sh on the host would; each prints a warning on stderr. */
function runProbe(fake: Fake, chartPath?: string): { stdout: string; stderr: string; status: number | null } {
  const answer = (a: { out: string; rc: number } | undefined) => (a ? `printf '%s\\n' '${a.out}'; echo "warning from $1" >&2; return ${a.rc}` : 'echo unexpected >&2; return 99');
  const fakes = `helm() { case "$1" in list) ${answer(fake.list)} ;; get) ${answer(fake.values)} ;; show) ${answer(fake.chart)} ;; esac; }`;
  const run = spawnSync('/bin/sh', ['-c', `${fakes}\n${helmProbeScript(target, chartPath)}`], { encoding: 'utf8' });
  return { stdout: run.stdout, stderr: run.stderr, status: run.status };
}

test('the probe script, run by a real /bin/sh, yields each answer with its own exit status and stderr; absence is data', () => {
  const found = runProbe({ list: { out: `[${entry}]`, rc: 0 }, values: { out: '{"replicaCount":2}', rc: 0 } });
  const probe = splitHelmProbe(found.stdout, found.stderr);
  assert.equal(probe.list, { rc: 0, stdout: `[${entry}]\n`, stderr: 'warning from list' });
  assert.equal(releaseEntry(probe.list, target), { name: 'cert-manager', namespace: 'cert-manager', chart: 'cert-manager-v1.14.4', status: 'deployed', revision: '3', updated: 'x' });
  assert.equal(releaseValues(probe.values, target), { replicaCount: 2 });
  assert.is(probe.chart, undefined, 'no helm show chart for a chart that is not a path');
  const absent = splitHelmProbe(...(Object.values(runProbe({ list: { out: '[]', rc: 0 }, values: { out: '', rc: 1 } })).slice(0, 2) as [string, string]));
  assert.is(releaseEntry(absent.list, target), undefined);
  const none = splitHelmProbe(...(Object.values(runProbe({ list: { out: `[${entry}]`, rc: 0 }, values: { out: 'null', rc: 0 } })).slice(0, 2) as [string, string]));
  assert.is(releaseValues(none.values, target), null);
});

test('the probe: a failing list skips get values and keeps its stderr; a chart path is shown first', () => {
  const down = runProbe({ list: { out: '', rc: 1 } });
  assert.is(down.status, 0, 'failures are data: the script itself succeeds');
  const probe = splitHelmProbe(down.stdout, down.stderr);
  assert.equal([probe.list.rc, probe.list.stderr, probe.values], [1, 'warning from list', undefined]);
  const local = runProbe({ chart: { out: 'apiVersion: v2\nname: web-app\nversion: 1.2.0', rc: 0 }, list: { out: '[]', rc: 0 }, values: { out: '', rc: 1 } }, '/opt/charts/web.tgz');
  const shown = splitHelmProbe(local.stdout, local.stderr);
  assert.equal(shown.chart, { rc: 0, stdout: 'apiVersion: v2\nname: web-app\nversion: 1.2.0\n', stderr: 'warning from show' });
});

test('the probe fails loudly when get values fails for an existing release or the output is not JSON', () => {
  const broken = runProbe({ list: { out: `[${entry}]`, rc: 0 }, values: { out: '', rc: 1 } });
  const probe = splitHelmProbe(broken.stdout, broken.stderr);
  throws(() => releaseValues(probe.values, target), /helm get values cert-manager failed \(rc=1\): warning from get/);
  throws(() => releaseEntry({ rc: 0, stdout: 'WARNING: something\n[]', stderr: '' }, target), /helm list did not print JSON/);
  throws(() => splitHelmProbe('[]', ''), /unexpected/);
});

test('a same-named release in another namespace is not ours', () => {
  const other = entry.replace('"namespace":"cert-manager"', '"namespace":"other"');
  assert.is(releaseEntry({ rc: 0, stdout: `[${other}]`, stderr: '' }, target), undefined);
});

test('a stuck release: the newest deployed revision of the history is the rollback target; with none, uninstall', () => {
  const history = JSON.stringify([
    { revision: 1, status: 'superseded' },
    { revision: 2, status: 'deployed' },
    { revision: 3, status: 'failed' },
    { revision: 4, status: 'pending-upgrade' },
  ]);
  assert.is(lastGoodRevision(history), 2);
  assert.is(lastGoodRevision('[{"revision":1,"status":"pending-install"}]'), undefined);
  assert.is(lastGoodRevision('not json'), undefined);
  const release = { name: 'cert-manager', namespace: 'cert-manager', chart: 'cert-manager-v1.14.4', status: 'pending-upgrade', revision: '4', updated: 'x' };
  assert.match(stuckMessage(release, { ...target, kubeconfig: '/k' }, 2), '`helm rollback cert-manager 2 --namespace=cert-manager --kubeconfig=/k`');
  assert.match(stuckMessage({ ...release, status: 'pending-install', revision: '1' }, target, undefined), '`helm uninstall cert-manager --namespace=cert-manager`');
  assert.match(stuckMessage({ ...release, status: 'uninstalling' }, target, 2), 'finish it with `helm uninstall cert-manager --namespace=cert-manager`');
});

test('versions compare with or without a leading v; the chart column splits by the known name', () => {
  assert.ok(sameVersion('v1.14.4', '1.14.4'));
  assert.not.ok(sameVersion('1.14.4', '1.14.40'));
  assert.is(deployedVersion('cert-manager-v1.14.4', 'cert-manager'), 'v1.14.4');
  assert.is(deployedVersion('traefik-25.0.3+up25.0.0', 'traefik'), '25.0.3+up25.0.0');
  assert.is(deployedVersion('nginx-1.0.0', 'cert-manager'), undefined, 'another chart under the same release name');
});

test('values: key order does not matter, null and {} are the same "no values", types do', () => {
  assert.ok(sameValues({ a: 1, b: { c: [1, 2] } }, { b: { c: [1, 2] }, a: 1 }));
  assert.ok(sameValues(null, {}));
  assert.ok(sameValues(undefined, {}));
  assert.not.ok(sameValues({ a: '1' }, { a: 1 }));
  assert.not.ok(sameValues({ a: [1, 2] }, { a: [2, 1] }));
  assert.not.ok(sameValues({ a: 1 }, { a: 1, b: null }));
});

test('the values diff hides secret spots on both sides and everything registered', () => {
  const desired = toPlain({ registry: { user: 'bot', password: secret('unit-helm-secret') }, replicas: 2 });
  const diff = valuesDiff('r', { registry: { user: 'bot', password: 'an-older-unknown-one' }, replicas: 1 }, desired.value, desired.secretPaths);
  assert.match(diff, '--- r values (deployed)');
  assert.match(diff, '-replicas: 1\n+replicas: 2');
  assert.not.match(diff, /unit-helm-secret|an-older-unknown-one/);
  assert.equal(
    hideAt({ a: [{ b: 'x' }] }, [
      ['a', 0, 'b'],
      ['missing', 'path'],
    ]),
    { a: [{ b: '***' }] },
  );
  assert.match(valuesDiff('r', null, {}, []), /^--- r values/, 'nothing to nothing is an empty patch');
});

test('upgrade --install: values on stdin, --reset-values, every option as a flag, values quoted', () => {
  assert.is(
    upgradeCommand({
      ...target,
      chartRef: 'cert-manager',
      version: 'v1.14.4',
      repoUrl: 'https://charts.jetstack.io',
      createNamespace: true,
      wait: true,
      timeoutS: 300,
      kubeconfig: '/etc/rancher/k3s/k3s.yaml',
    }),
    'helm upgrade --install cert-manager cert-manager --version=v1.14.4 --namespace=cert-manager --kubeconfig=/etc/rancher/k3s/k3s.yaml --create-namespace --repo=https://charts.jetstack.io --reset-values --wait --timeout=300s -f -',
  );
  assert.is(
    upgradeCommand({ ...target, chartRef: 'oci://ghcr.io/x/chart', version: '1.0.0', createNamespace: false, wait: false }),
    'helm upgrade --install cert-manager oci://ghcr.io/x/chart --version=1.0.0 --namespace=cert-manager --reset-values -f -',
  );
});

test.run();
