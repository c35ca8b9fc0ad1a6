/**
 * The stand-in helm (test/fixtures/bin) refuses what helm refuses and reports
 * what it reports, on every point the modules rely on. Run here on the controller with their own
 * state directory and HOME; each case names the real source file the stand-in follows.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
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

function run(tool: 'helm', args: string[], stdin = ''): { code: number; stdout: string; stderr: string } {
  const result = spawnSync(PYTHON, [join(STANDIN_BIN, tool), ...args], {
    input: stdin,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', PLOY_STANDIN_DIR: dir, HOME: join(dir, 'home') },
  });
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

test('helm kube/client.go IsReachable: without a kubeconfig, or with a server that does not answer, the cluster is unreachable', () => {
  rmSync(join(dir, 'home', '.kube', 'config'));
  assert.equal(run('helm', ['list', '--output=json']).stderr, 'Error: Kubernetes cluster unreachable: Get "http://localhost:8080/version": dial tcp 127.0.0.1:8080: connect: connection refused\n');
  assert.equal(run('helm', ['list', '--output=json', '--kubeconfig=/nonexistent/k3s.yaml']).stderr, 'Error: Kubernetes cluster unreachable: stat /nonexistent/k3s.yaml: no such file or directory\n');
});

test("helm install.go and load.go: the release records Chart.yaml's name and version; --version is not checked for a path; a missing path is refused", () => {
  const chart = join(dir, 'charts', 'web');
  mkdirSync(chart, { recursive: true });
  writeFileSync(join(chart, 'Chart.yaml'), 'apiVersion: v2\nname: web-app\nversion: 1.2.0\n');
  assert.is(run('helm', ['upgrade', '--install', 'web', chart, '--version=9.9.9', '--reset-values', '-f', '-'], '{}').code, 0);
  assert.match(run('helm', ['list', '--output=json']).stdout, '"chart":"web-app-1.2.0"');
  assert.equal(run('helm', ['show', 'chart', '/opt/none.tgz']).stderr, 'Error: path "/opt/none.tgz" not found\n');
  assert.equal(
    run('helm', ['upgrade', '--install', 'x', 'cert-manager', '--version=1', '-f', '-'], '{}').stderr,
    'Error: non-absolute URLs should be in form of repo_name/path_to_chart, got: cert-manager\n',
  );
  writeFileSync(join(chart, 'Chart.yaml'), 'apiVersion: v2\nversion: 1.2.0\n');
  assert.equal(run('helm', ['show', 'chart', chart]).stderr, 'Error: validation: chart.metadata.name is required\n');
});

test('helm upgrade.go: a pending release refuses another operation; rollback.go: a rollback supersedes it', () => {
  const chart = join(dir, 'web');
  mkdirSync(chart);
  writeFileSync(join(chart, 'Chart.yaml'), 'apiVersion: v2\nname: web\nversion: 1.0.0\n');
  run('helm', ['upgrade', '--install', 'web', chart, '--version=1.0.0', '--reset-values', '-f', '-'], '{}');
  writeFileSync(join(dir, 'helm', 'ready-after'), '30');
  spawnSync('timeout', ['-s', 'KILL', '1', PYTHON, join(STANDIN_BIN, 'helm'), 'upgrade', '--install', 'web', chart, '--version=1.0.0', '--wait', '-f', '-'], {
    input: '{}',
    env: { PATH: process.env.PATH, PLOY_STANDIN_DIR: dir, HOME: join(dir, 'home') },
  });
  assert.match(run('helm', ['list', '--all', '--output=json']).stdout, '"status":"pending-upgrade"');
  assert.equal(run('helm', ['upgrade', '--install', 'web', chart, '--version=1.0.0', '-f', '-'], '{}').stderr, 'Error: UPGRADE FAILED: another operation (install/upgrade/rollback) is in progress\n');
  rmSync(join(dir, 'helm', 'ready-after'));
  assert.equal(run('helm', ['rollback', 'web', '1']).stdout, 'Rollback was a success! Happy Helming!\n');
  assert.match(run('helm', ['list', '--output=json']).stdout, /"revision":"3","updated":"[^"]+","status":"deployed"/);
  assert.equal(run('helm', ['upgrade', '--install', 'web', chart, '--version=1.0.0', '--reset-values', '-f', '-'], '{}').code, 0);
});

test("helm install.go: the chart's crds/ and templates/ objects are stored (CRDs first, the release namespace by default), so its kinds are served; a file needing rendering is refused", () => {
  const chart = join(dir, 'cm');
  mkdirSync(join(chart, 'templates'), { recursive: true });
  writeFileSync(join(chart, 'Chart.yaml'), 'apiVersion: v2\nname: cm\nversion: 1.0.0\n');
  writeFileSync(
    join(chart, 'templates', 'a-deployment.yaml'),
    'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: cm-webhook\nspec:\n  replicas: 1\n---\napiVersion: example.io/v1\nkind: Widget\nmetadata:\n  name: w\n',
  );
  writeFileSync(
    join(chart, 'templates', 'z-crd.yaml'),
    'apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: widgets.example.io\nspec:\n  group: example.io\n  scope: Cluster\n  names:\n    kind: Widget\n    plural: widgets\n  versions:\n  - name: v1\n    served: true\n    storage: true\n',
  );
  const install = run('helm', ['upgrade', '--install', 'cm', chart, '--version=1.0.0', '--namespace=cm', '--create-namespace', '--reset-values', '-f', '-'], '{}');
  assert.is(install.code, 0, install.stderr);
  assert.equal(readdirSync(join(dir, 'kubectl', 'objects')).sort(), [
    'apiextensions.k8s.io.v1.CustomResourceDefinition..widgets.example.io',
    'apps.v1.Deployment.cm.cm-webhook',
    'example.io.v1.Widget..w',
    'v1.Namespace..cm',
  ]);
  writeFileSync(join(chart, 'templates', 'a-deployment.yaml'), 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\n');
  assert.equal(
    run('helm', ['upgrade', '--install', 'cm', chart, '--version=1.0.0', '--namespace=cm', '--reset-values', '-f', '-'], '{}').stderr,
    'Error: stand-in helm renders no Go templates: cm/templates/a-deployment.yaml has "{{"\n',
  );
});

test.run();
