/**
 * The stand-in kubectl (test/fixtures/bin) refuses what kubectl and the API server refuse and reports
 * what they report, on every point the modules rely on. Run here on the controller with their own
 * state directory and HOME; each case names the real source file the stand-in follows.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { STANDIN_BIN } from '../support/standins.ts';

let dir = '';
/** Debian's own python3 (a version manager's shim on PATH costs half a second a call). */
const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
const SERVER = 'https://127.0.0.1:6443';

test.before.each(() => {
  dir = mkdtempSync(join(tmpdir(), 'ploy-standins-'));
  mkdirSync(join(dir, 'home', '.kube'), { recursive: true });
  writeFileSync(join(dir, 'home', '.kube', 'config'), `apiVersion: v1\nclusters:\n- cluster:\n    server: ${SERVER}\n  name: default\n`);
  writeFileSync(join(dir, 'apiserver'), `${SERVER}\n`);
});
test.after.each(() => rmSync(dir, { recursive: true, force: true }));

function run(tool: 'kubectl', args: string[], stdin = ''): { code: number; stdout: string; stderr: string } {
  const result = spawnSync(PYTHON, [join(STANDIN_BIN, tool), ...args], {
    input: stdin,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', PLOY_STANDIN_DIR: dir, HOME: join(dir, 'home') },
  });
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

const cm = (name: string, data: string, labels = '') => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  namespace: default\n${labels}data:\n  key: ${data}\n`;
const ssa = (manager: string, ...extra: string[]) => ['apply', '--server-side', `--field-manager=${manager}`, ...extra, '-f', '-'];

test('apply.go: --prune with --server-side is refused outside an ApplySet; --force-conflicts needs --server-side; unknown flags are refused', () => {
  assert.equal(run('kubectl', [...ssa('ploy', '--prune', '--selector=app=x')], cm('a', 'x')), {
    code: 1,
    stdout: '',
    stderr: "error: --prune is in alpha and doesn't currently work on objects created by server-side apply\n",
  });
  assert.match(run('kubectl', ['apply', '--force-conflicts', '-f', '-'], cm('a', 'x')).stderr, '--force-conflicts only works with --server-side');
  const unknown = run('kubectl', ['apply', '--server-side', '--prune-whitelist=x', '-f', '-'], cm('a', 'x'));
  assert.equal([unknown.code, unknown.stderr.split('\n')[0]], [1, 'error: unknown flag: --prune-whitelist']);
});

test('diff.go: exit 0 when equal, 1 with a diff -u -N section per object, 2 on errors; diff/prune.go: --prune never sees server-side applied objects', () => {
  assert.is(run('kubectl', ssa('ploy'), cm('a', 'one', '  labels:\n    app: x\n')).code, 0);
  assert.equal(run('kubectl', ['diff', '--server-side', '--field-manager=ploy', '-f', '-'], cm('a', 'one', '  labels:\n    app: x\n')).code, 0);
  const changed = run('kubectl', ['diff', '--server-side', '--field-manager=ploy', '-f', '-'], cm('a', 'two', '  labels:\n    app: x\n'));
  assert.is(changed.code, 1);
  assert.match(changed.stdout, /^diff -u -N \/tmp\/LIVE-\d+\/v1\.ConfigMap\.default\.a \/tmp\/MERGED-\d+\/v1\.ConfigMap\.default\.a\n/);
  assert.match(changed.stdout, '-  key: one\n+  key: two');
  const pruning = run('kubectl', ['diff', '--server-side', '--field-manager=ploy', '--prune', '--selector=app=x', '-f', '-'], cm('b', 'one', '  labels:\n    app: x\n'));
  assert.not.match(pruning.stdout, 'ConfigMap.default.a', 'a is not in the manifest, yet kubectl diff --prune shows no deletion of it');
  assert.equal(run('kubectl', ['diff', '--server-side', '-f', '-'], 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  namespace: nope\n').code, 2);
});

test('mapper.go: every object is mapped before any is applied, so a CRD and an object of its kind in one apply: the object fails, the CRD is stored', () => {
  const crd =
    'apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: widgets.example.com\nspec:\n  group: example.com\n  scope: Namespaced\n  names:\n    kind: Widget\n    plural: widgets\n  versions:\n  - name: v1\n    served: true\n    storage: true\n';
  const widget = 'apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n';
  const both = run('kubectl', ssa('ploy'), `${crd}---\n${widget}`);
  assert.is(both.code, 1);
  assert.match(both.stdout, 'customresourcedefinition.apiextensions.k8s.io/widgets.example.com serverside-applied');
  assert.match(both.stderr, 'error: resource mapping not found for name: "w" namespace: "" from "STDIN": no matches for kind "Widget" in version "example.com/v1"\nensure CRDs are installed first');
  assert.is(run('kubectl', ssa('ploy'), widget).code, 0, 'once the CRD is there, its kind is served');
  assert.match(run('kubectl', ['wait', '--for=condition=Established', 'customresourcedefinition.apiextensions.k8s.io/widgets.example.com', '--timeout=1s']).stdout, 'condition met');
});

test("webhooks.py: while cert-manager's webhook does not answer, a diff or apply of its served kinds fails as the API server fails it; other kinds, and unserved ones, are not affected", () => {
  const crd =
    'apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: clusterissuers.cert-manager.io\nspec:\n  group: cert-manager.io\n  scope: Cluster\n  names:\n    kind: ClusterIssuer\n    plural: clusterissuers\n  versions:\n  - name: v1\n    served: true\n    storage: true\n';
  const issuer = 'apiVersion: cert-manager.io/v1\nkind: ClusterIssuer\nmetadata:\n  name: le\nspec:\n  selfSigned: {}\n';
  mkdirSync(join(dir, 'kubectl'), { recursive: true });
  writeFileSync(join(dir, 'kubectl', 'webhook-refusals'), '2');
  assert.match(run('kubectl', ['diff', '--server-side', '-f', '-'], issuer).stderr, 'no matches for kind "ClusterIssuer"', 'the mapper first');
  assert.is(run('kubectl', ssa('ploy'), crd).code, 0);
  assert.is(run('kubectl', ssa('ploy'), cm('a', 'one')).code, 0, 'not a cert-manager kind');
  const diff = run('kubectl', ['diff', '--server-side', '-f', '-'], issuer);
  assert.equal([diff.code, diff.stderr.includes('failed calling webhook "webhook.cert-manager.io"')], [2, true]);
  const apply = run('kubectl', ssa('ploy'), issuer);
  assert.equal([apply.code, apply.stderr.includes('connect: connection refused')], [1, true]);
  assert.is(run('kubectl', ssa('ploy'), issuer).code, 0, 'then it answers');
});

test("conflict.go: another manager's field set to another value conflicts (kubectl adds its advice); the same value is shared; --force-conflicts takes it", () => {
  assert.is(run('kubectl', ssa('ploy'), cm('a', 'one')).code, 0);
  assert.is(run('kubectl', ssa('other'), cm('a', 'one')).code, 0, 'same value: co-owned, no conflict');
  const conflict = run('kubectl', ssa('other'), cm('a', 'two'));
  assert.is(conflict.code, 1);
  assert.match(conflict.stderr, 'error: Apply failed with 1 conflict: conflict with "ploy": .data.key\nPlease review the fields above--they currently have other managers.');
  const diff = run('kubectl', ['diff', '--server-side', '--field-manager=other', '-f', '-'], cm('a', 'two'));
  assert.equal([diff.code, diff.stderr], [2, 'Error from server (Conflict): Apply failed with 1 conflict: conflict with "ploy": .data.key\n']);
  assert.is(run('kubectl', ssa('other', '--force-conflicts'), cm('a', 'two')).code, 0);
  assert.match(run('kubectl', ssa('ploy'), cm('a', 'one')).stderr, 'conflict with "other": .data.key', 'the field changed hands');
  assert.is(run('kubectl', ['patch', 'configmap/a', '--type=merge', '-p', '{"data":{"key":"three"}}']).code, 0);
  assert.match(run('kubectl', ssa('other'), cm('a', 'two')).stderr, /conflict with "kubectl-patch" using v1 at [0-9T:Z-]+: \.data\.key/, 'an update takes ownership too');
});

test('wait/condition.go and rollout_status.go: a condition a kind never reports times out after --timeout; rollout status only for workloads', () => {
  run(
    'kubectl',
    ssa('ploy'),
    `${cm('page', 'x')}---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: default\nspec:\n  replicas: 2\n---\napiVersion: apps/v1\nkind: DaemonSet\nmetadata:\n  name: ds\n  namespace: default\nspec:\n  updateStrategy:\n    type: OnDelete\n`,
  );
  const started = Date.now();
  assert.equal(run('kubectl', ['wait', '--for=condition=Ready', 'configmap/page', '--timeout=1s']), { code: 1, stdout: '', stderr: 'error: timed out waiting for the condition on configmaps/page\n' });
  assert.ok(Date.now() - started >= 1000, 'it waited its timeout');
  assert.equal(run('kubectl', ['wait', '--for=condition=Available', 'deployment.apps/web', '--timeout=1s']).stdout, 'deployment.apps/web condition met\n');
  assert.equal(run('kubectl', ['rollout', 'status', 'deployment.apps/web', '--timeout=1s']).stdout, 'deployment "web" successfully rolled out\n');
  assert.equal(run('kubectl', ['rollout', 'status', 'configmap/page']).stderr, 'error: no status viewer has been implemented for ConfigMap\n');
  assert.equal(run('kubectl', ['rollout', 'status', 'daemonset.apps/ds']).stderr, 'error: rollout status is only available for RollingUpdate strategy type\n');
});

test('client-go loader.go and helpers.go: no kubeconfig means localhost:8080; an explicit one must exist', () => {
  rmSync(join(dir, 'home', '.kube', 'config'));
  assert.match(run('kubectl', ['get', 'configmaps', '-o', 'yaml']).stderr, /The connection to the server localhost:8080 was refused - did you specify the right host or port\?\n$/);
  assert.equal(run('kubectl', ['get', 'configmaps', '-o', 'yaml', '--kubeconfig=/nonexistent/k3s.yaml']).stderr, 'error: stat /nonexistent/k3s.yaml: no such file or directory\n');
});

test.run();
