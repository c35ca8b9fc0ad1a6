/**
 * kubectlApply's pieces without a host: waits per kind, what a failed kubectl says, the one-command
 * probe (run by a real /bin/sh), prune listings and candidates, CRDs applied first.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { crdsFirst, definingCrd } from '../../lib/k8s/crds.ts';
import { applyCommand, deleteCommand, diffCommand } from '../../lib/k8s/kubectl-command.ts';
import { maskDiffOutput } from '../../lib/k8s/diff-output.ts';
import { classifyKubectlFailure, errorLine, parseConflicts } from '../../lib/k8s/kubectl-failure.ts';
import { parseProbe, probeScript } from '../../lib/k8s/kubectl-probe.ts';
import type { K8sObject } from '../../lib/k8s/object.ts';
import { pruneDiff, pruneShowCommand } from '../../lib/k8s/prune-diff.ts';
import { parseListing, pruneCandidates, pruneListCommands } from '../../lib/k8s/prune.ts';
import { waitCommand, waitFor } from '../../lib/k8s/waits.ts';

const object = (apiVersion: string, kind: string, name: string, extra: Record<string, unknown> = {}): K8sObject => ({
  apiVersion,
  kind,
  metadata: { name, ...(extra.namespace ? { namespace: extra.namespace as string } : {}) },
  ...extra,
});

test('commands: never --prune; --kubeconfig on every call, --namespace where the objects are', () => {
  const options = { fieldManager: 'ploy', forceConflicts: true, namespace: 'web', kubeconfig: '/k' };
  assert.is(diffCommand(options), 'kubectl diff --server-side --field-manager=ploy --force-conflicts --namespace=web --kubeconfig=/k -f -');
  assert.is(applyCommand({ ...options, forceConflicts: false }), 'kubectl apply --server-side --field-manager=ploy --namespace=web --kubeconfig=/k -f -');
  assert.is(deleteCommand(['configmap/b', 'secret/t'], 'web', '/k'), 'kubectl delete configmap/b secret/t --ignore-not-found --namespace=web --kubeconfig=/k');
  assert.is(deleteCommand(['namespace/old'], '', undefined), 'kubectl delete namespace/old --ignore-not-found', 'a cluster-scoped object: no namespace');
  assert.is(
    pruneShowCommand(
      [
        { apiVersion: 'v1', kind: 'Namespace', namespace: '', name: 'old' },
        { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'web', name: 'w' },
      ],
      '/k',
    ),
    "kubectl get namespace/old --output=yaml --kubeconfig=/k && echo '---' && kubectl get deployment.apps/w --output=yaml --namespace=web --kubeconfig=/k",
  );
});

test('waits: rollouts for workloads (not OnDelete ones), Established, Complete and Ready conditions, nothing for the rest', () => {
  assert.equal(waitFor(object('apps/v1', 'Deployment', 'd')), { rollout: true });
  assert.equal(waitFor(object('apps/v1', 'DaemonSet', 'd')), { rollout: true });
  assert.is(waitFor({ ...object('apps/v1', 'DaemonSet', 'd'), spec: { updateStrategy: { type: 'OnDelete' } } }), undefined);
  assert.equal(waitFor(object('apiextensions.k8s.io/v1', 'CustomResourceDefinition', 'c')), { condition: 'Established' });
  assert.equal(waitFor(object('batch/v1', 'Job', 'j')), { condition: 'Complete' });
  assert.equal(waitFor(object('cert-manager.io/v1', 'Certificate', 'c')), { condition: 'Ready' });
  for (const kind of ['Namespace', 'ConfigMap', 'Secret', 'Service']) assert.is(waitFor(object('v1', kind, 'x')), undefined, kind);
  assert.is(waitFor(object('example.com/v1', 'Deployment', 'x')), undefined, 'a Deployment of another group is not a workload');
  const objects = [object('v1', 'Namespace', 'web'), object('apps/v1', 'Deployment', 'nginx', { namespace: 'web' }), object('batch/v1', 'Job', 'm')];
  assert.is(
    waitCommand(objects, 60, { namespace: 'other', kubeconfig: '/k' }, [{ resource: 'deployment.apps/hook', condition: 'Available' }]),
    'kubectl rollout status deployment.apps/nginx --namespace=web --kubeconfig=/k --timeout=60s && kubectl wait --for=condition=Complete job.batch/m --namespace=other --kubeconfig=/k --timeout=60s && kubectl wait --for=condition=Available deployment.apps/hook --namespace=other --kubeconfig=/k --timeout=60s',
  );
  assert.is(waitCommand(objects.slice(0, 1), 5, {}), '');
});

const KLOG =
  'E0101 10:00:00.000000    4242 memcache.go:265] "Unhandled Error" err="couldn\'t get current server API group list: Get \\"http://localhost:8080/api?timeout=32s\\": dial tcp 127.0.0.1:8080: connect: connection refused"';

test('a failed kubectl: no cluster, a missing kubeconfig, a kind not served, conflicts and missing namespaces are told apart; the rest is a plain failure', () => {
  const down = `${KLOG}\n${KLOG}\nerror: unable to recognize "STDIN": Get "http://localhost:8080/api?timeout=32s": dial tcp 127.0.0.1:8080: connect: connection refused\n`;
  assert.equal(classifyKubectlFailure(down, undefined), {
    kind: 'unreachable',
    reason: 'error: unable to recognize "STDIN": Get "http://localhost:8080/api?timeout=32s": dial tcp 127.0.0.1:8080: connect: connection refused',
  });
  assert.equal(classifyKubectlFailure('The connection to the server 10.0.0.1:6443 was refused - did you specify the right host or port?\n', undefined)?.kind, 'unreachable');
  assert.equal(classifyKubectlFailure('Error: Kubernetes cluster unreachable: Get "https://10.0.0.1:6443/version": dial tcp 10.0.0.1:6443: i/o timeout\n', undefined)?.kind, 'unreachable');
  assert.equal(classifyKubectlFailure('error: stat /etc/rancher/k3s/k3s.yaml: no such file or directory\n', '/etc/rancher/k3s/k3s.yaml'), {
    kind: 'unreachable',
    reason: 'error: stat /etc/rancher/k3s/k3s.yaml: no such file or directory',
  });
  // No kubectl or helm yet (check mode on a fresh machine, before the role that installs them): dash's and bash's words.
  assert.equal(classifyKubectlFailure('/bin/sh: 1: kubectl: not found\n', undefined), { kind: 'not-installed', tool: 'kubectl' });
  assert.equal(classifyKubectlFailure('bash: line 2: helm: command not found\n', undefined), { kind: 'not-installed', tool: 'helm' });
  assert.equal(classifyKubectlFailure('error: the server could not find the requested resource (get pods kubectl: not found)\n', undefined), undefined);
  // The API server answered: an admission webhook that refuses connections is not an absent cluster.
  const webhook =
    'Error from server (InternalError): Internal error occurred: failed calling webhook "webhook.cert-manager.io": failed to call webhook: Post "https://cert-manager-webhook.cert-manager.svc:443/validate?timeout=30s": dial tcp 10.43.12.7:443: connect: connection refused\n';
  assert.is(classifyKubectlFailure(webhook, undefined), undefined);
  assert.equal(
    classifyKubectlFailure(
      'error: resource mapping not found for name: "le" namespace: "" from "STDIN": no matches for kind "ClusterIssuer" in version "cert-manager.io/v1"\nensure CRDs are installed first\n',
      undefined,
    ),
    { kind: 'not-served', objectKind: 'ClusterIssuer', apiVersion: 'cert-manager.io/v1' },
  );
  assert.equal(classifyKubectlFailure('Error from server (NotFound): namespaces "demo" not found\n', undefined), { kind: 'namespaces', namespaces: ['demo'] });
  assert.is(classifyKubectlFailure('error: You must be logged in to the server (Unauthorized)\n', undefined), undefined);
  assert.is(classifyKubectlFailure('error: x509: certificate signed by unknown authority\n', undefined), undefined, 'a cluster that answers wrongly is a failure, not an absent cluster');
  assert.is(errorLine(`${KLOG}\nsomething went wrong\n`), 'something went wrong', 'klog lines are never the reason');
});

test('conflicts as the API server words them: one, or several grouped by manager; an Update manager keeps its API version and time', () => {
  assert.equal(parseConflicts('Error from server (Conflict): Apply failed with 1 conflict: conflict with "kubectl-edit" using apps/v1 at 2026-01-01T10:00:00Z: .spec.replicas\n'), [
    { manager: '"kubectl-edit" using apps/v1 at 2026-01-01T10:00:00Z', fields: ['.spec.replicas'] },
  ]);
  const many =
    'Error from server (Conflict): Apply failed with 3 conflicts: conflicts with "helm":\n- .spec.replicas\n- .spec.template.spec.containers[name="web"].image\nconflicts with "kubectl-patch" using apps/v1:\n- .metadata.labels.tier\n';
  assert.equal(parseConflicts(many), [
    { manager: '"helm"', fields: ['.spec.replicas', '.spec.template.spec.containers[name="web"].image'] },
    { manager: '"kubectl-patch" using apps/v1', fields: ['.metadata.labels.tier'] },
  ]);
  assert.equal(parseConflicts('error: something else\n'), []);
});

test('the probe: listings captured with their exit status, then the diff whose status the command keeps; a real /bin/sh runs it', () => {
  const fake = `kubectl() { case "$1" in get) if [ "$2" = bad ]; then echo 'error: the server doesn'"'"'t have a resource type "widgets"' >&2; return 1; fi; printf 'v1\\tConfigMap\\tdefault\\tb\\tploy/Apply,\\n' ;; diff) cat >/dev/null; printf 'diff -u -N /tmp/LIVE-1/v1.ConfigMap.default.a /tmp/MERGED-1/v1.ConfigMap.default.a\\n'; echo warn >&2; return 1 ;; esac; }`;
  const script = probeScript('kubectl diff -f -', ['kubectl get good', 'kubectl get bad']);
  const run = spawnSync('/bin/sh', ['-c', `${fake}\n${script}`], { encoding: 'utf8', input: 'manifest' });
  const probe = parseProbe({ code: run.status ?? -1, stdout: run.stdout, stderr: run.stderr, timedOut: false }, 2);
  assert.equal(probe.diff, { code: 1, stdout: 'diff -u -N /tmp/LIVE-1/v1.ConfigMap.default.a /tmp/MERGED-1/v1.ConfigMap.default.a\n', stderr: 'warn\n', timedOut: false });
  assert.equal(probe.listings, [
    { code: 0, output: 'v1\tConfigMap\tdefault\tb\tploy/Apply,' },
    { code: 1, output: 'error: the server doesn\'t have a resource type "widgets"' },
  ]);
  assert.is(probeScript('kubectl diff -f -', []), 'kubectl diff -f -', 'without prune the probe is the diff alone');
});

test('prune listings: the built-in kinds in one call, each custom kind alone; candidates are what this manager applied and the manifest dropped', () => {
  const manifest = [object('v1', 'ConfigMap', 'a', { namespace: 'web' }), object('cert-manager.io/v1', 'Certificate', 'c', { namespace: 'web' }), object('rbac.authorization.k8s.io/v1', 'Role', 'r')];
  const commands = pruneListCommands(manifest, 'app=web', { kubeconfig: '/k' });
  assert.is(commands.length, 2);
  assert.match(
    commands[0] ?? '',
    /^kubectl get configmap,endpoints,.*,persistentvolume,role\.rbac\.authorization\.k8s\.io --selector=app=web --all-namespaces '--output=jsonpath=\{range \.items\[\*\]\}.*' --kubeconfig=\/k$/,
  );
  assert.match(commands[1] ?? '', /^kubectl get certificate\.cert-manager\.io --selector=app=web /);
  const listed = parseListing(
    [
      'v1\tConfigMap\tweb\ta\tploy/Apply,',
      'v1\tConfigMap\tweb\tgone\tploy/Apply,kube-controller-manager/Update,',
      'v1\tPod\tweb\tweb-7d9f\tkube-controller-manager/Update,',
      'v1\tConfigMap\tweb\ttheirs\thelm/Apply,',
      'rbac.authorization.k8s.io/v1\tRole\tdefault\tr\tploy/Apply,',
      'v1\tConfigMap\tweb\tgone\tploy/Apply,',
      '',
    ].join('\n'),
  );
  assert.equal(
    pruneCandidates(listed, 'ploy', manifest, 'default').map((o) => `${o.kind} ${o.namespace}/${o.name}`),
    ['ConfigMap web/gone'],
    "a Pod a controller made, an object another manager applied and the manifest's own are kept",
  );
  assert.equal(pruneCandidates(listed, 'other', manifest, 'default'), []);
});

test("pruned objects show as kubectl diff shows a deletion, a Secret's data masked", () => {
  const doomed = [
    { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'web', name: 'b' },
    { apiVersion: 'v1', kind: 'Secret', namespace: 'web', name: 't' },
  ];
  assert.is(pruneShowCommand(doomed, undefined), 'kubectl get configmap/b secret/t --output=yaml --namespace=web');
  const shown =
    'apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: b, namespace: web}\n  data: {k: v}\n- apiVersion: v1\n  kind: Secret\n  metadata: {name: t, namespace: web}\n  data: {token: c2VjcmV0}\n';
  const diff = maskDiffOutput(pruneDiff(shown, doomed));
  assert.match(
    diff,
    'diff -u -N /tmp/LIVE-ploy/v1.ConfigMap.web.b /tmp/MERGED-ploy/v1.ConfigMap.web.b\n--- /tmp/LIVE-ploy/v1.ConfigMap.web.b\n+++ /tmp/MERGED-ploy/v1.ConfigMap.web.b\n@@ -1,7 +0,0 @@\n-apiVersion: v1\n',
  );
  assert.match(diff, '-  k: v');
  assert.match(diff, '-  token: ***');
  assert.not.match(diff, 'c2VjcmV0');
});

test('CRDs first: only when the manifest has objects of a kind one of its CRDs defines', () => {
  const crd = { ...object('apiextensions.k8s.io/v1', 'CustomResourceDefinition', 'widgets.example.com'), spec: { group: 'example.com', names: { kind: 'Widget' }, versions: [{ name: 'v1' }] } };
  const ns = object('v1', 'Namespace', 'w');
  const widget = object('example.com/v1', 'Widget', 'w1', { namespace: 'w' });
  assert.is(definingCrd([crd], 'example.com/v1', 'Widget'), crd);
  assert.is(definingCrd([crd], 'example.com/v2', 'Widget'), undefined, 'another version is not served by it');
  assert.equal(crdsFirst([widget, crd, ns]), [crd, ns]);
  assert.equal(crdsFirst([crd, ns]), [], 'a CRD alone goes in one apply');
});

test.run();
