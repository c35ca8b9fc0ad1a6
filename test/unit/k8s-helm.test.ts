import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { throws } from 'node:assert/strict';
import { deployedVersion, helmProbeScript, parseHelmProbe, sameVersion, upgradeCommand } from '../../lib/k8s/helm-release.ts';
import { hideAt, sameValues, valuesDiff } from '../../lib/k8s/helm-values.ts';
import { toPlain } from '../../lib/k8s/plain.ts';
import { secret } from '../../lib/secret.ts';

const target = { release: 'cert-manager', namespace: 'cert-manager' };
const entry = '{"name":"cert-manager","namespace":"cert-manager","revision":"3","updated":"x","status":"deployed","chart":"cert-manager-v1.14.4","app_version":"v1.14.4"}';

/** Run the probe script with stand-in list/get-values shell functions, as /bin/sh on the host would. */
function runProbe(list: string, values: { out: string; rc: number }): { stdout: string; stderr: string; status: number | null } {
  const fakes = `helm() { case "$1" in list) printf '%s\\n' '${list}' ;; get) printf '%s\\n' '${values.out}'; echo 'warning on stderr' >&2; return ${values.rc} ;; esac; }`;
  const run = spawnSync('/bin/sh', ['-c', `${fakes}\n${helmProbeScript(target)}`], { encoding: 'utf8' });
  return { stdout: run.stdout, stderr: run.stderr, status: run.status };
}

test('the probe script, run by a real /bin/sh, yields the release and its values; absence is data', () => {
  const found = runProbe(`[${entry}]`, { out: '{"replicaCount":2}', rc: 0 });
  assert.is(found.status, 0);
  assert.equal(parseHelmProbe(found.stdout, found.stderr, target), {
    release: { name: 'cert-manager', namespace: 'cert-manager', chart: 'cert-manager-v1.14.4', status: 'deployed', revision: '3' },
    values: { replicaCount: 2 },
  });
  const absent = runProbe('[]', { out: '', rc: 1 });
  assert.equal(parseHelmProbe(absent.stdout, absent.stderr, target), {});
  const none = runProbe(`[${entry}]`, { out: 'null', rc: 0 });
  assert.is(parseHelmProbe(none.stdout, none.stderr, target).values, null);
});

test('the probe fails loudly when get values fails for an existing release or the output is not JSON', () => {
  const broken = runProbe(`[${entry}]`, { out: '', rc: 1 });
  throws(() => parseHelmProbe(broken.stdout, 'Error: Kubernetes cluster unreachable', target), /helm get values cert-manager failed \(rc=1\): Error: Kubernetes cluster unreachable/);
  throws(() => parseHelmProbe('WARNING: something\n[]\n\n@@ploy-values\n\n@@ploy-values-rc=1\n', '', target), /helm list did not print JSON/);
  throws(() => parseHelmProbe('[]', '', target), /unexpected/);
});

test('a same-named release in another namespace is not ours', () => {
  const other = entry.replace('"namespace":"cert-manager"', '"namespace":"other"');
  const probe = runProbe(`[${other}]`, { out: '{}', rc: 0 });
  assert.equal(parseHelmProbe(probe.stdout, probe.stderr, target), {});
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
  assert.equal(hideAt({ a: [{ b: 'x' }] }, [['a', 0, 'b'], ['missing', 'path']]), { a: [{ b: '***' }] });
  assert.match(valuesDiff('r', null, {}, []), /^--- r values/, 'nothing to nothing is an empty patch');
});

test('upgrade --install: values on stdin, --reset-values, every option as a flag, values quoted', () => {
  assert.is(
    upgradeCommand({ ...target, chartRef: 'cert-manager', version: 'v1.14.4', repoUrl: 'https://charts.jetstack.io', createNamespace: true, wait: true, timeoutS: 300, kubeconfig: '/etc/rancher/k3s/k3s.yaml' }),
    'helm upgrade --install cert-manager cert-manager --version=v1.14.4 --namespace=cert-manager --kubeconfig=/etc/rancher/k3s/k3s.yaml --create-namespace --repo=https://charts.jetstack.io --reset-values --wait --timeout=300s -f -',
  );
  assert.is(upgradeCommand({ ...target, chartRef: 'oci://ghcr.io/x/chart', version: '1.0.0', createNamespace: false, wait: false }), 'helm upgrade --install cert-manager oci://ghcr.io/x/chart --version=1.0.0 --namespace=cert-manager --reset-values -f -');
});

test.run();
