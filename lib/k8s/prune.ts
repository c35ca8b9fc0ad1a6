import { quote } from '../shell.ts';
import { targetFlags, type KubectlTarget } from './kubectl-command.ts';
import { apiGroup, type K8sObject } from './object.ts';

/**
 * Pruning that works with server-side apply. kubectl's own cannot: `apply --prune` refuses
 * --server-side outside an ApplySet (pkg/cmd/apply/apply.go) and `diff --prune` only sees objects
 * carrying the client-side last-applied annotation (pkg/cmd/diff/prune.go). So ploy lists the
 * objects matching the task's selector itself and prunes those that (1) this task's field manager
 * applied (a managedFields entry with its name and operation Apply: the server-side record of "we
 * created this"; controllers' objects such as a Deployment's Pods carry none) and (2) the manifest
 * no longer has.
 *
 * Kinds looked at: kubectl's default prune list (pkg/util/prune/prune.go) and every kind of the
 * manifest. The built-in kinds are listed in one call; each other kind in its own, because one
 * kind the cluster does not serve fails a whole `kubectl get` (and a kind not served has nothing
 * to prune).
 */
const DEFAULT_KINDS = [
  'configmap',
  'endpoints',
  'persistentvolumeclaim',
  'pod',
  'replicationcontroller',
  'secret',
  'service',
  'job.batch',
  'cronjob.batch',
  'ingress.networking.k8s.io',
  'daemonset.apps',
  'deployment.apps',
  'replicaset.apps',
  'statefulset.apps',
  'namespace',
  'persistentvolume',
];
/** API groups served by every cluster: kinds of these are listed with the defaults. */
const BUILTIN_GROUPS = new Set([
  '',
  'apps',
  'batch',
  'networking.k8s.io',
  'rbac.authorization.k8s.io',
  'policy',
  'storage.k8s.io',
  'apiextensions.k8s.io',
  'scheduling.k8s.io',
  'admissionregistration.k8s.io',
  'autoscaling',
  'coordination.k8s.io',
  'discovery.k8s.io',
]);

/** The fields printed per object: apiVersion, kind, namespace, name, then manager/operation pairs. */
const TEMPLATE =
  '{range .items[*]}{.apiVersion}{"\\t"}{.kind}{"\\t"}{.metadata.namespace}{"\\t"}{.metadata.name}{"\\t"}{range .metadata.managedFields[*]}{.manager}{"/"}{.operation}{","}{end}{"\\n"}{end}';

/** One object found by the prune listing. */
export interface Listed {
  readonly apiVersion: string;
  readonly kind: string;
  /** '' for cluster-scoped objects. */
  readonly namespace: string;
  readonly name: string;
}

/** kind.group as `kubectl get` takes a type: deployment.apps, configmap. */
function typeOf(object: Pick<K8sObject, 'apiVersion' | 'kind'>): string {
  const group = apiGroup(object.apiVersion);
  return `${object.kind.toLowerCase()}${group ? `.${group}` : ''}`;
}

/** The `kubectl get` calls of a prune listing: the built-in kinds in one, each custom kind alone. */
export function pruneListCommands(objects: ReadonlyArray<Pick<K8sObject, 'apiVersion' | 'kind'>>, selector: string, target: KubectlTarget): string[] {
  const builtin = new Set(DEFAULT_KINDS);
  const custom = new Set<string>();
  for (const object of objects) {
    (BUILTIN_GROUPS.has(apiGroup(object.apiVersion)) ? builtin : custom).add(typeOf(object));
  }
  const get = (types: string) =>
    ['kubectl get', quote(types), `--selector=${quote(selector)}`, '--all-namespaces', quote(`--output=jsonpath=${TEMPLATE}`), ...targetFlags({ kubeconfig: target.kubeconfig })].join(' ');
  return [get([...builtin].join(',')), ...[...custom].map(get)];
}

/** Parse one listing's output (TEMPLATE's lines) into objects and the managers that applied each. */
export function parseListing(output: string): Array<Listed & { readonly appliedBy: readonly string[] }> {
  return output
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const [apiVersion = '', kind = '', namespace = '', name = '', managers = ''] = line.split('\t');
      const appliedBy = managers
        .split(',')
        .filter((entry) => entry.endsWith('/Apply'))
        .map((entry) => entry.slice(0, -'/Apply'.length));
      return { apiVersion, kind, namespace, name, appliedBy };
    });
}

/** Whether a listing's failure only says the kind is not served (so nothing of it exists to prune). */
export function kindNotServed(output: string): boolean {
  return /the server doesn't have a resource type/.test(output);
}

/**
 * What to prune: objects the field manager applied that the manifest no longer has. An object of
 * the manifest is matched by API group, kind, namespace and name (an object applied in another
 * version of its group is the same object).
 */
export function pruneCandidates(listed: ReturnType<typeof parseListing>, fieldManager: string, manifest: ReadonlyArray<K8sObject>, defaultNamespace: string): Listed[] {
  const key = (apiVersion: string, kind: string, namespace: string, name: string) => [apiGroup(apiVersion), kind, namespace, name].join('/');
  const kept = new Set(manifest.map((o) => key(o.apiVersion, o.kind, o.metadata.namespace ?? '', o.metadata.name)));
  const keptDefaulted = new Set(manifest.map((o) => key(o.apiVersion, o.kind, o.metadata.namespace ?? defaultNamespace, o.metadata.name)));
  const seen = new Set<string>();
  return listed.filter((o) => {
    const k = key(o.apiVersion, o.kind, o.namespace, o.name);
    if (seen.has(k)) return false;
    seen.add(k);
    return o.appliedBy.includes(fieldManager) && !kept.has(k) && !keptDefaulted.has(k);
  });
}
