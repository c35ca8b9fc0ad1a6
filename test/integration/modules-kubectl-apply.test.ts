/**
 * kubectlApply over SSH on a test-bed host, against the STAND-IN kubectl (test/fixtures/bin): no
 * cluster can run here, so the tests assert the exact commands kubectl received and the change
 * decisions taken from its diff exit codes. The stand-in's object store is the "cluster".
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { rejects } from 'node:assert/strict';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CommandError, InputError, ModuleArgsError } from '../../lib/errors.ts';
import { kubectlApply, type KubectlApplyArgs } from '../../lib/modules/kubectl-apply.ts';
import type { K8sObject } from '../../lib/k8s/object.ts';
import { secret } from '../../lib/secret.ts';
import { beforeAll } from '../support/before-all.ts';
import { startModuleBed, type BedModuleHost, type RunOptions } from '../support/module-host.ts';
import { callWatcher, installStandins, resetStandins, STANDIN_STATE, type StandinCall } from '../support/standins.ts';

const projectDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');
const HOST = 'k8s1';
const OBJECTS = `${STANDIN_STATE}/kubectl/objects`;

let h: BedModuleHost;
let calls: () => Promise<StandinCall[]>;

beforeAll(test, async () => {
  h = await startModuleBed(HOST, { projectDir });
  await installStandins(h);
});

test.after(() => h?.stop());

test.before.each(async () => {
  await resetStandins(h);
  calls = callWatcher(h);
});

const converge = (args: KubectlApplyArgs, options: RunOptions = {}) => h.run(kubectlApply, args, options);
const check = (args: KubectlApplyArgs, options: RunOptions = {}) => h.run(kubectlApply, args, { ...options, check: true });
const argvs = (list: StandinCall[]) => list.map((call) => [call.tool, ...call.argv].join(' '));
const stored = (file: string) => h.sh(`cat ${OBJECTS}/${file}`);

function app(replicas: number, password = secret('s3cr3t-registry-pass')): K8sObject[] {
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'demo' } },
    { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'registry', namespace: 'demo' }, stringData: { password } },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: 'demo' },
      spec: {
        replicas,
        selector: { matchLabels: { app: 'web' } },
        template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.27' }] } },
      },
    },
  ];
}

const DIFF = 'kubectl diff --server-side --field-manager=ploy -f -';
const APPLY = 'kubectl apply --server-side --field-manager=ploy -f -';

test('a fresh cluster: the diff cannot dry-run into a new namespace, so it is a change; apply stores every object', async () => {
  const result = await converge({ objects: app(2) });
  assert.is(result.status, 'changed');
  assert.equal(result.changes, ['apply 3 objects server-side: namespace demo is new (kubectl diff cannot dry-run objects in a namespace that does not exist yet)']);
  const made = await calls();
  assert.equal(argvs(made), [DIFF, APPLY]);
  assert.ok(made[1]?.stdin?.startsWith('apiVersion: v1\nkind: Namespace\n'), 'the manifest goes on stdin, the namespace first');
  assert.match(await stored('apps.v1.Deployment.demo.web'), /^  replicas: 2$/m);
  assert.match(await stored('v1.Secret.demo.registry'), 'password: s3cr3t-registry-pass');
  for (const { command } of h.sent) assert.not.match(command, 's3cr3t-registry-pass', 'the secret travels on stdin only');
  assert.equal(result.data.objects, ['Namespace demo', 'Secret demo/registry', 'Deployment demo/web']);
});

test('converged: ok, one channel, and the only call is the diff', async () => {
  await converge({ objects: app(2) });
  await calls();
  const before = h.connection.channelsOpened;
  const again = await converge({ objects: app(2) });
  assert.is(again.status, 'ok');
  assert.is(h.connection.channelsOpened - before, 1, 'a converged apply costs one round trip');
  assert.equal(argvs(await calls()), [DIFF]);
});

test('drift: check mode runs only the diff, shows it with the Secret data masked, and changes nothing; converge repairs', async () => {
  await converge({ objects: app(2) });
  await h.sh(`sed -i 's/replicas: 2/replicas: 5/' ${OBJECTS}/apps.v1.Deployment.demo.web && sed -i 's/password: .*/password: old-drifted-pass/' ${OBJECTS}/v1.Secret.demo.registry`);
  await calls();
  const planned = await check({ objects: app(2) }, { diff: true });
  assert.is(planned.status, 'changed');
  assert.equal(planned.changes, ['apply 3 objects server-side: Secret demo/registry, Deployment demo/web differ']);
  const diff = planned.diff ?? '';
  assert.match(diff, '-  replicas: 5\n+  replicas: 2');
  assert.match(diff, '-  password: ***\n+  password: ***');
  assert.not.match(diff, 's3cr3t-registry-pass');
  assert.not.match(diff, 'old-drifted-pass', 'the old value, not known as a secret, is masked too');
  assert.equal(argvs(await calls()), [DIFF], 'check mode: the diff only');
  assert.match(await stored('apps.v1.Deployment.demo.web'), /^  replicas: 5$/m, 'nothing changed');
  const fixed = await converge({ objects: app(2) });
  assert.is(fixed.status, 'changed');
  assert.equal(fixed.diff, undefined, 'no diff without --diff');
  assert.equal(argvs(await calls()), [DIFF, APPLY]);
  assert.match(await stored('apps.v1.Deployment.demo.web'), /^  replicas: 2$/m);
  assert.is((await converge({ objects: app(2) })).status, 'ok');
});

test('flags: namespace, kubeconfig, field manager and force-conflicts reach kubectl exactly; waits run after the apply', async () => {
  const manifest = [
    'apiVersion: v1',
    'kind: ConfigMap',
    'metadata: {name: page}',
    'data: {index.html: "<h1>hi</h1>", enabled: "yes"}',
    '---',
    'apiVersion: apps/v1',
    'kind: DaemonSet',
    'metadata: {name: echo}',
    'spec:',
    '  selector: {matchLabels: {app: echo}}',
    '  template:',
    '    metadata: {labels: {app: echo}}',
    '    spec: {containers: [{name: socat, image: "registry.example/echo:abc"}]}',
  ].join('\n');
  const args: KubectlApplyArgs = {
    manifest,
    namespace: 'kube-system',
    kubeconfig: '/etc/rancher/k3s/k3s.yaml',
    fieldManager: 'ploy-echo',
    forceConflicts: true,
    wait: { rollout: true, condition: 'Ready', resources: ['daemonset.apps/echo'], timeoutS: 90 },
  };
  assert.is((await converge(args)).status, 'changed');
  const flags = '--server-side --field-manager=ploy-echo --force-conflicts --namespace=kube-system --kubeconfig=/etc/rancher/k3s/k3s.yaml -f -';
  assert.equal(argvs(await calls()), [
    `kubectl diff ${flags}`,
    `kubectl apply ${flags}`,
    'kubectl rollout status daemonset.apps/echo --namespace=kube-system --kubeconfig=/etc/rancher/k3s/k3s.yaml --timeout=90s',
    'kubectl wait --for=condition=Ready daemonset.apps/echo --namespace=kube-system --kubeconfig=/etc/rancher/k3s/k3s.yaml --timeout=90s',
  ]);
  assert.match(await stored('v1.ConfigMap.kube-system.page'), 'enabled: "yes"', 'YAML 1.1 words stay strings for kubectl');
  const before = h.connection.channelsOpened;
  assert.is((await converge(args)).status, 'ok');
  assert.is(h.connection.channelsOpened - before, 1);
  assert.equal(argvs(await calls()), [`kubectl diff ${flags}`], 'no wait when nothing changed');
});

test('prune: off by default; on, with the selector, deletes what the manifest no longer has', async () => {
  const labelled = (name: string): K8sObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default', labels: { 'app.kubernetes.io/managed-by': 'ploy' } }, data: { name } });
  await converge({ objects: [labelled('a'), labelled('b')] });
  assert.is((await converge({ objects: [labelled('a')] })).status, 'ok', 'without prune, b is left alone');
  await calls();
  const prune = { selector: 'app.kubernetes.io/managed-by=ploy' };
  const planned = await check({ objects: [labelled('a')], prune }, { diff: true });
  assert.equal(planned.changes, ['apply 1 object server-side: ConfigMap default/b differ']);
  assert.match(planned.diff ?? '', '-  name: b');
  const pruned = await converge({ objects: [labelled('a')], prune });
  assert.is(pruned.status, 'changed');
  const flags = '--server-side --field-manager=ploy --prune --selector=app.kubernetes.io/managed-by=ploy -f -';
  assert.equal(argvs(await calls()), [`kubectl diff ${flags}`, `kubectl diff ${flags}`, `kubectl apply ${flags}`]);
  assert.is((await h.sh(`ls ${OBJECTS}`)).trim(), 'v1.ConfigMap.default.a');
});

test('a template manifest renders with the host vars (a Secret among them) and is checked before the host is touched', async () => {
  const vars = { namespace: 'tpl', replicas: 3, image: 'nginx:1.27', registry_password: secret('tpl-registry-secret') };
  const result = await converge({ src: 'k8s/app.yaml.hbs' }, { vars, diff: true });
  assert.is(result.status, 'changed');
  assert.match(await stored('v1.Secret.tpl.registry'), 'password: tpl-registry-secret');
  assert.is((await converge({ src: 'k8s/app.yaml.hbs' }, { vars })).status, 'ok');
  const before = h.connection.channelsOpened;
  await rejects(
    () => converge({ src: 'k8s/app.yaml.hbs' }, { vars: { ...vars, replicas: 'three' } }),
    (error: Error) => error instanceof InputError && /Deployment tpl\/web \(rendered manifest, document 3, line 20\): field spec\.replicas must be integer, got string "three"/.test(error.message),
  );
  assert.is(h.connection.channelsOpened, before, 'a bad rendered manifest fails before any channel');
});

test('kubectl diff failing (exit > 1) fails the task with its stderr; nothing is applied', async () => {
  await h.sh(`echo 'error: You must be logged in to the server (Unauthorized)' > ${STANDIN_STATE}/kubectl/fail-next`);
  await rejects(
    () => converge({ objects: [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } }] }),
    (error: Error) => error instanceof CommandError && error.result.code === 2 && /kubectl diff failed \(rc=2\): error: You must be logged in to the server \(Unauthorized\)/.test(error.message),
  );
  assert.equal(argvs(await calls()), ['kubectl diff --server-side --field-manager=ploy -f -']);
});

test('bad arguments and bad objects fail in validate, before any channel', async () => {
  const before = h.connection.channelsOpened;
  const bad: Array<[unknown, RegExp]> = [
    [{ objects: [{ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'w' }, spec: { replicas: '2', selector: {}, template: {} } }] }, /Deployment w \(objects\[0\]\): field spec\.replicas must be integer/],
    [{ manifest: 'kind: ConfigMap\nmetadata: {name: x}\n' }, /field apiVersion is required/],
    [{ manifest: 'a: [1\n' }, /YAML error in the manifest, line 2/],
    [{ objects: [], namespace: 'x' }, /field "objects".*non-empty list/],
    [{ manifest: 'x: 1', objects: [] }, /only one of objects, manifest and src/],
    [{ objects: app(1), prune: true }, /prune needs a label selector/],
    [{ objects: app(1), prune: { selector: 'app=web' } }, /Namespace demo, Secret demo\/registry, Deployment demo\/web do not match the prune selector/],
    [{ objects: app(1), wait: { rollout: true } }, /wait\.timeoutS \(seconds\) is required/],
    [{ objects: app(1), namespace: 'Bad_NS' }, /field "namespace".*namespace name/],
    [{ objects: app(1), kubeconfig: 'k3s.yaml' }, /field "kubeconfig".*absolute path/],
    [{ objects: [{ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } }] }, /no schema is known for apiVersion example\.com\/v1, kind Widget/],
  ];
  for (const [args, message] of bad) {
    await rejects(() => converge(args as KubectlApplyArgs), (error: Error) => error instanceof ModuleArgsError && message.test(error.message));
  }
  assert.is(h.connection.channelsOpened, before, 'no channel was opened');
  assert.equal(await calls(), []);
});

test.run();
