/**
 * kubectlApply over SSH on a test-bed host, against the STAND-IN kubectl (test/fixtures/bin): no
 * cluster can run here, so the stand-in answers as kubectl and a K3s API server do (refusing what
 * they refuse: --prune with --server-side, kinds no CRD serves, fields another manager owns, waits
 * for conditions a kind never reports) and the tests assert the commands kubectl received and what
 * the task decided. The stand-in's object store is the "cluster".
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { rejects } from 'node:assert/strict';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CommandError, InputError, ModuleArgsError, TaskFailedError } from '../../lib/errors.ts';
import { kubectlApply, type KubectlApplyArgs } from '../../lib/modules/kubectl-apply.ts';
import type { K8sObject } from '../../lib/k8s/object.ts';
import { secret } from '../../lib/secret.ts';
import { beforeAll } from '../support/before-all.ts';
import { startModuleBed, type BedModuleHost, type RunOptions } from '../support/module-host.ts';
import { callWatcher, clusterAway, installStandins, K3S_KUBECONFIG, resetStandins, STANDIN_STATE, type StandinCall } from '../support/standins.ts';

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
const stored = async (file: string) => JSON.parse(await h.sh(`cat ${OBJECTS}/${file}`)) as K8sObject & { data?: Record<string, string>; spec?: { replicas?: number } };
const storedFiles = async () => (await h.sh(`ls ${OBJECTS}`)).trim().split('\n').filter(Boolean);
/** Another client of the cluster, run on the host as root (kubectl patch: an update by field manager kubectl-patch). */
const kubectl = (args: string) => h.sh(`kubectl ${args}`);

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

test('a fresh cluster: the diff cannot dry-run into a new namespace, so it is a change; apply stores every object; then ok in one channel', async () => {
  const result = await converge({ objects: app(2) });
  assert.is(result.status, 'changed');
  assert.equal(result.changes, ['apply 3 objects server-side: namespace demo is new (kubectl diff cannot dry-run objects in a namespace that does not exist yet)']);
  const made = await calls();
  assert.equal(argvs(made), [DIFF, APPLY]);
  assert.ok(made[1]?.stdin?.startsWith('apiVersion: v1\nkind: Namespace\n'), 'the manifest goes on stdin, the namespace first');
  assert.is((await stored('apps.v1.Deployment.demo.web')).spec?.replicas, 2);
  assert.is((await stored('v1.Secret.demo.registry')).data?.password, Buffer.from('s3cr3t-registry-pass').toString('base64'), 'stringData is stored as data');
  for (const { command } of h.sent) assert.not.match(command, 's3cr3t-registry-pass', 'the secret travels on stdin only');
  assert.equal(result.data.objects, ['Namespace demo', 'Secret demo/registry', 'Deployment demo/web']);
  const before = h.connection.channelsOpened;
  assert.is((await converge({ objects: app(2) })).status, 'ok');
  assert.is(h.connection.channelsOpened - before, 1, 'a converged apply costs one round trip');
  assert.equal(argvs(await calls()), [DIFF]);
});

test('field ownership: a field another manager changed fails the task, naming the field and the manager, in check mode too; forceConflicts takes it over', async () => {
  await converge({ objects: app(2) });
  await kubectl(`patch deployment.apps/web --namespace=demo --type=merge -p '{"spec":{"replicas":5}}'`);
  await calls();
  const conflict = (error: Error) =>
    error instanceof TaskFailedError &&
    /\.spec\.replicas is owned by field manager "kubectl-patch" using apps\/v1 at [0-9T:Z-]+\. ploy applies as field manager "ploy" and takes no field another manager owns: set forceConflicts: true to take it over/.test(
      error.message,
    );
  await rejects(() => check({ objects: app(2) }), conflict);
  await rejects(() => converge({ objects: app(2) }), conflict);
  assert.equal(argvs(await calls()), [DIFF, DIFF], 'nothing applied');
  assert.is((await stored('apps.v1.Deployment.demo.web')).spec?.replicas, 5);
  const planned = await check({ objects: app(2), forceConflicts: true }, { diff: true });
  assert.equal(planned.changes, ['apply 3 objects server-side: Deployment demo/web differ']);
  assert.match(planned.diff ?? '', '-  replicas: 5\n+  replicas: 2');
  const taken = await converge({ objects: app(2), forceConflicts: true });
  assert.is(taken.status, 'changed');
  const forced = (line: string) => line.replace(' -f -', ' --force-conflicts -f -');
  assert.equal(argvs(await calls()), [forced(DIFF), forced(DIFF), forced(APPLY)]);
  assert.is((await stored('apps.v1.Deployment.demo.web')).spec?.replicas, 2);
  assert.is((await converge({ objects: app(2) })).status, 'ok', 'ploy owns the field again: no conflict without force');
});

test('field ownership: a manager that sets the same value shares the field, no conflict; drift in a Secret shows masked', async () => {
  await converge({ objects: app(2) });
  const other = 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: demo\nspec:\n  replicas: 2\n';
  await h.sh(`printf '%s' '${other}' | kubectl apply --server-side --field-manager=autoscaler-config -f -`);
  assert.is((await converge({ objects: app(2) })).status, 'ok');
  await kubectl(`patch secret/registry --namespace=demo --type=merge -p '{"data":{"password":"${Buffer.from('old-drifted-pass').toString('base64')}"}}'`);
  await calls();
  const planned = await check({ objects: app(2), forceConflicts: true }, { diff: true });
  assert.equal(planned.changes, ['apply 3 objects server-side: Secret demo/registry differ']);
  assert.match(planned.diff ?? '', '-  password: ***\n+  password: ***');
  for (const hidden of ['s3cr3t-registry-pass', 'old-drifted-pass', Buffer.from('old-drifted-pass').toString('base64'), Buffer.from('s3cr3t-registry-pass').toString('base64')]) {
    assert.not.match(planned.diff ?? '', hidden);
  }
});

const WORKLOADS = [
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
  '---',
  'apiVersion: apps/v1',
  'kind: Deployment',
  'metadata: {name: web}',
  'spec:',
  '  selector: {matchLabels: {app: web}}',
  '  template:',
  '    metadata: {labels: {app: web}}',
  '    spec: {containers: [{name: nginx, image: "nginx:1.27"}]}',
  '---',
  'apiVersion: batch/v1',
  'kind: Job',
  'metadata: {name: migrate}',
  'spec:',
  '  template:',
  '    spec: {restartPolicy: Never, containers: [{name: m, image: "busybox:1.36"}]}',
  '---',
  'apiVersion: v1',
  'kind: Service',
  'metadata: {name: web}',
  'spec: {selector: {app: web}, ports: [{port: 80}]}',
].join('\n');

test('waits: what each kind reports (rollouts, Complete for a Job), nothing for a ConfigMap or Service; flags and --kubeconfig reach every call', async () => {
  await h.sh(`mkdir -p /etc/ploy && cp ${K3S_KUBECONFIG} /etc/ploy/kubeconfig`);
  await clusterAway(h, 'no-kubeconfig');
  const args: KubectlApplyArgs = {
    manifest: WORKLOADS,
    namespace: 'kube-system',
    kubeconfig: '/etc/ploy/kubeconfig',
    fieldManager: 'ploy-echo',
    forceConflicts: true,
    wait: { timeoutS: 20 },
  };
  const started = performance.now();
  assert.is((await converge(args)).status, 'changed');
  assert.ok(performance.now() - started < 15_000, 'no wait sat until its timeout');
  const target = '--namespace=kube-system --kubeconfig=/etc/ploy/kubeconfig';
  const flags = `--server-side --field-manager=ploy-echo --force-conflicts ${target} -f -`;
  assert.equal(argvs(await calls()), [
    `kubectl diff ${flags}`,
    `kubectl apply ${flags}`,
    `kubectl rollout status daemonset.apps/echo ${target} --timeout=20s`,
    `kubectl rollout status deployment.apps/web ${target} --timeout=20s`,
    `kubectl wait --for=condition=Complete job.batch/migrate ${target} --timeout=20s`,
  ]);
  assert.is((await stored('v1.ConfigMap.kube-system.page')).data?.enabled, 'yes', 'YAML 1.1 words stay strings for kubectl');
  const before = h.connection.channelsOpened;
  assert.is((await converge(args)).status, 'ok');
  assert.is(h.connection.channelsOpened - before, 1);
  assert.equal(argvs(await calls()), [`kubectl diff ${flags}`], 'no wait when nothing changed');
  await rejects(
    () => converge({ ...args, kubeconfig: undefined }),
    (error: Error) => error instanceof CommandError && /localhost:8080/.test(error.message),
    'without --kubeconfig there is no cluster: the flag was what reached it',
  );
});

test("waits are bounded by timeoutS: an object that never settles fails the task after it, with kubectl's words; a named resource can be waited on too", async () => {
  await converge({ objects: app(1) });
  await h.sh(`echo deployment.apps/web > ${STANDIN_STATE}/kubectl/unready`);
  await calls();
  const started = performance.now();
  await rejects(
    () => converge({ objects: app(3), wait: { timeoutS: 2 } }),
    (error: Error) => error instanceof CommandError && /waiting for the applied objects failed \(rc=1\): error: timed out waiting for the condition/.test(error.message),
  );
  const waited = performance.now() - started;
  assert.ok(waited >= 2_000, `the wait lasted its timeout (${waited} ms)`);
  assert.ok(waited < 20_000, `and not kubectl's own longer default (${waited} ms)`);
  await h.sh(`rm ${STANDIN_STATE}/kubectl/unready`);
  const extra = await converge({
    objects: [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'demo' } }],
    wait: { timeoutS: 3, condition: 'Available', resources: ['deployment.apps/web'] },
    namespace: 'demo',
  });
  assert.is(extra.status, 'changed');
  assert.equal(argvs(await calls()).slice(-1), ['kubectl wait --for=condition=Available deployment.apps/web --namespace=demo --timeout=3s']);
});

test('prune: off by default; on, deletes what this field manager applied, the selector matches and the manifest dropped; check mode and --diff show it', async () => {
  const labelled = (name: string, kind: 'ConfigMap' | 'Secret' = 'ConfigMap'): K8sObject => ({
    apiVersion: 'v1',
    kind,
    metadata: { name, namespace: 'default', labels: { 'app.kubernetes.io/managed-by': 'ploy' } },
    ...(kind === 'Secret' ? { stringData: { token: secret('pruned-secret-token') } } : { data: { name } }),
  });
  await converge({ objects: [labelled('a'), labelled('b'), labelled('t', 'Secret')] });
  const foreign = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: theirs\n  namespace: default\n  labels:\n    app.kubernetes.io/managed-by: ploy\n';
  await h.sh(`printf '%s' '${foreign}' | kubectl apply --server-side --field-manager=someone-else -f -`);
  assert.is((await converge({ objects: [labelled('a')] })).status, 'ok', 'without prune, b and t are left alone');
  await calls();
  const prune = { selector: 'app.kubernetes.io/managed-by=ploy' };
  const planned = await check({ objects: [labelled('a')], prune }, { diff: true });
  assert.equal(planned.changes, ['prune ConfigMap default/b, Secret default/t (field manager "ploy" applied them, selector app.kubernetes.io/managed-by=ploy; no longer in the manifest)']);
  assert.match(planned.diff ?? '', 'diff -u -N /tmp/LIVE-ploy/v1.ConfigMap.default.b /tmp/MERGED-ploy/v1.ConfigMap.default.b');
  assert.match(planned.diff ?? '', '-  name: b');
  assert.match(planned.diff ?? '', '-  token: ***');
  assert.not.match(planned.diff ?? '', Buffer.from('pruned-secret-token').toString('base64'));
  assert.not.match(planned.diff ?? '', 'theirs', 'an object another manager applied is not pruned');
  assert.equal(await storedFiles(), ['v1.ConfigMap.default.a', 'v1.ConfigMap.default.b', 'v1.ConfigMap.default.theirs', 'v1.Secret.default.t'], 'check mode deletes nothing');
  const LIST = String.raw`kubectl get configmap,endpoints,persistentvolumeclaim,pod,replicationcontroller,secret,service,job.batch,cronjob.batch,ingress.networking.k8s.io,daemonset.apps,deployment.apps,replicaset.apps,statefulset.apps,namespace,persistentvolume --selector=app.kubernetes.io/managed-by=ploy --all-namespaces --output=jsonpath={range .items[*]}{.apiVersion}{"\t"}{.kind}{"\t"}{.metadata.namespace}{"\t"}{.metadata.name}{"\t"}{range .metadata.managedFields[*]}{.manager}{"/"}{.operation}{","}{end}{"\n"}{end}`;
  assert.equal(
    argvs(await calls()),
    [LIST, DIFF, 'kubectl get configmap/b secret/t --output=yaml --namespace=default'],
    'check mode: the listing and the diff in one command, then the pruned objects for --diff',
  );
  const pruned = await converge({ objects: [labelled('a')], prune });
  assert.is(pruned.status, 'changed');
  assert.equal(
    argvs(await calls()),
    [LIST, DIFF, 'kubectl delete configmap/b secret/t --ignore-not-found --namespace=default'],
    'kubectl refuses --prune with --server-side: never sent; a unchanged: no apply',
  );
  assert.equal(await storedFiles(), ['v1.ConfigMap.default.a', 'v1.ConfigMap.default.theirs']);
  assert.is((await converge({ objects: [labelled('a')], prune })).status, 'ok');
});

const CLUSTER_ISSUER =
  'apiVersion: cert-manager.io/v1\nkind: ClusterIssuer\nmetadata:\n  name: letsencrypt-staging\nspec:\n  acme:\n    email: ops@example.com\n    server: https://acme-staging-v02.api.letsencrypt.org/directory\n    privateKeySecretRef: {name: letsencrypt-staging}\n    solvers:\n    - http01: {ingress: {ingressClassName: traefik}}\n';
const CRD = (served = true) =>
  [
    'apiVersion: apiextensions.k8s.io/v1',
    'kind: CustomResourceDefinition',
    'metadata: {name: clusterissuers.cert-manager.io}',
    'spec:',
    '  group: cert-manager.io',
    '  scope: Cluster',
    '  names: {kind: ClusterIssuer, plural: clusterissuers, singular: clusterissuer, listKind: ClusterIssuerList}',
    '  versions:',
    `  - {name: v1, served: ${served}, storage: true, schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}}`,
  ].join('\n');

test("a kind no CRD serves yet: check mode cannot predict it and says why; a real run fails with kubectl's message; once a task installed the CRD it applies", async () => {
  const planned = await check({ manifest: CLUSTER_ISSUER });
  assert.equal(
    [planned.status, planned.msg],
    ['skipped', 'cannot predict: kind ClusterIssuer (cert-manager.io/v1) is not served by the cluster yet: no CustomResourceDefinition defines it (an earlier task may install it)'],
  );
  await rejects(
    () => converge({ manifest: CLUSTER_ISSUER }),
    (error: Error) =>
      error instanceof CommandError &&
      /kubectl apply failed \(rc=1\): error: resource mapping not found for name: "letsencrypt-staging" namespace: "" from "STDIN": no matches for kind "ClusterIssuer" in version "cert-manager.io\/v1"\nensure CRDs are installed first/.test(
        error.message,
      ),
  );
  assert.is((await converge({ manifest: CRD(), validate: false })).status, 'changed');
  assert.is((await converge({ manifest: CLUSTER_ISSUER })).status, 'changed');
  assert.is((await converge({ manifest: CLUSTER_ISSUER })).status, 'ok');
});

test('a CRD and objects of its kind in one manifest: the CRDs go first and are waited for until Established, then everything; then ok', async () => {
  const manifest = `${CLUSTER_ISSUER}---\n${CRD()}\n`;
  const planned = await check({ manifest, validate: false });
  assert.equal(planned.changes, [
    'apply 2 objects server-side: CustomResourceDefinition clusterissuers.cert-manager.io is new (kubectl diff cannot dry-run ClusterIssuer objects before it is served)',
  ]);
  await calls();
  const result = await converge({ manifest, validate: false });
  assert.is(result.status, 'changed');
  const made = await calls();
  assert.equal(argvs(made), [DIFF, APPLY, 'kubectl wait --for=condition=Established customresourcedefinition.apiextensions.k8s.io/clusterissuers.cert-manager.io --timeout=60s', APPLY]);
  assert.match(made[1]?.stdin ?? '', /^apiVersion: apiextensions.k8s.io\/v1\nkind: CustomResourceDefinition\n/);
  assert.not.match(made[1]?.stdin ?? '', 'ClusterIssuer\nmetadata', 'the first apply holds the CRD only');
  assert.equal(await storedFiles(), ['apiextensions.k8s.io.v1.CustomResourceDefinition..clusterissuers.cert-manager.io', 'cert-manager.io.v1.ClusterIssuer..letsencrypt-staging']);
  assert.is((await converge({ manifest, validate: false })).status, 'ok');
});

test("a cluster that is not there yet (fresh machine): check mode cannot predict and says why; a real run fails with kubectl's own message", async () => {
  await clusterAway(h, 'no-kubeconfig');
  const noConfig = await check({ objects: app(2) });
  assert.is(noConfig.status, 'skipped');
  assert.match(
    noConfig.msg ?? '',
    /^cannot predict: the cluster does not answer \(error: unable to recognize "STDIN": Get "http:\/\/localhost:8080\/api\?timeout=32s": dial tcp 127\.0\.0\.1:8080: connect: connection refused\)$/,
  );
  const missing = await check({ objects: app(2), kubeconfig: K3S_KUBECONFIG });
  assert.equal([missing.status, missing.msg], ['skipped', `cannot predict: the cluster does not answer (error: stat ${K3S_KUBECONFIG}: no such file or directory)`]);
  await resetStandins(h);
  await clusterAway(h, 'server-down');
  const down = await check({ objects: app(2), kubeconfig: K3S_KUBECONFIG });
  assert.match(down.msg ?? '', /^cannot predict: the cluster does not answer \(error: unable to recognize "STDIN": Get "https:\/\/127\.0\.0\.1:6443\/api\?timeout=32s"/);
  await rejects(
    () => converge({ objects: app(2) }),
    (error: Error) =>
      error instanceof CommandError &&
      /kubectl apply failed \(rc=1\): [^]*\nerror: error validating "STDIN": error validating data: failed to download openapi: Get "https:\/\/127\.0\.0\.1:6443\/openapi\/v2\?timeout=32s": dial tcp 127\.0\.0\.1:6443: connect: connection refused/.test(
        error.message,
      ),
  );
});

test('a template manifest renders with the host vars (a Secret among them) and is checked before the host is touched', async () => {
  const vars = { namespace: 'tpl', replicas: 3, image: 'nginx:1.27', registry_password: secret('tpl-registry-secret') };
  const result = await converge({ src: 'k8s/app.yaml.hbs' }, { vars, diff: true });
  assert.is(result.status, 'changed');
  assert.is((await stored('v1.Secret.tpl.registry')).data?.password, Buffer.from('tpl-registry-secret').toString('base64'));
  assert.is((await converge({ src: 'k8s/app.yaml.hbs' }, { vars })).status, 'ok');
  const before = h.connection.channelsOpened;
  await rejects(
    () => converge({ src: 'k8s/app.yaml.hbs' }, { vars: { ...vars, replicas: 'three' } }),
    (error: Error) => error instanceof InputError && /Deployment tpl\/web \(rendered manifest, document 3, line 20\): field spec\.replicas must be integer, got string "three"/.test(error.message),
  );
  assert.is(h.connection.channelsOpened, before, 'a bad rendered manifest fails before any channel');
});

test('kubectl diff failing otherwise (exit > 1) fails the task with its stderr; nothing is applied', async () => {
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
    [
      { objects: [{ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'w' }, spec: { replicas: '2', selector: {}, template: {} } }] },
      /Deployment w \(objects\[0\]\): field spec\.replicas must be integer/,
    ],
    [{ manifest: 'kind: ConfigMap\nmetadata: {name: x}\n' }, /field apiVersion is required/],
    [{ manifest: 'a: [1\n' }, /YAML error in the manifest, line 2/],
    [{ objects: [], namespace: 'x' }, /field "objects".*non-empty list/],
    [{ manifest: 'x: 1', objects: [] }, /only one of objects, manifest and src/],
    [{ objects: app(1), prune: true }, /prune needs a label selector/],
    [
      { objects: app(1), prune: { selector: 'app=web' } },
      /Namespace demo, Secret demo\/registry, Deployment demo\/web do not match the prune selector "app=web": pruning finds objects by that selector/,
    ],
    [{ objects: app(1), wait: { condition: 'Ready' } }, /wait\.timeoutS \(seconds\) is required/],
    [{ objects: app(1), wait: { rollout: true, timeoutS: 5 } }, /field "rollout": kubectlApply: unknown argument \(known: condition, resources, timeoutS\)/],
    [{ objects: app(1), wait: { condition: 'Available', timeoutS: 5 } }, /wait\.condition needs wait\.resources/],
    [{ objects: app(1), namespace: 'Bad_NS' }, /field "namespace".*namespace name/],
    [{ objects: app(1), kubeconfig: 'k3s.yaml' }, /field "kubeconfig".*absolute path/],
    [{ objects: [{ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } }] }, /no schema is known for apiVersion example\.com\/v1, kind Widget/],
  ];
  for (const [args, message] of bad) {
    await rejects(
      () => converge(args as KubectlApplyArgs),
      (error: Error) => error instanceof ModuleArgsError && message.test(error.message),
      JSON.stringify(args).slice(0, 80),
    );
  }
  assert.is(h.connection.channelsOpened, before, 'no channel was opened');
  assert.equal(await calls(), []);
});

test.run();
