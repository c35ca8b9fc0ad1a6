import { quote } from '../shell.ts';

/** What every kubectl call of one kubectlApply task shares. */
export interface KubectlTarget {
  readonly namespace?: string | undefined;
  readonly kubeconfig?: string | undefined;
}

export interface ServerSideOptions extends KubectlTarget {
  readonly fieldManager: string;
  readonly forceConflicts: boolean;
}

export function targetFlags(target: KubectlTarget): string[] {
  return [...(target.namespace ? [`--namespace=${quote(target.namespace)}`] : []), ...(target.kubeconfig ? [`--kubeconfig=${quote(target.kubeconfig)}`] : [])];
}

function serverSideFlags(options: ServerSideOptions): string[] {
  return ['--server-side', `--field-manager=${quote(options.fieldManager)}`, ...(options.forceConflicts ? ['--force-conflicts'] : []), ...targetFlags(options)];
}

/** `kubectl diff` of the manifest on stdin against the cluster, as server-side apply would merge it. */
export function diffCommand(options: ServerSideOptions): string {
  return ['kubectl', 'diff', ...serverSideFlags(options), '-f', '-'].join(' ');
}

/**
 * `kubectl apply --server-side` of the manifest on stdin. Never with --prune: kubectl refuses it
 * with --server-side outside an ApplySet (pkg/cmd/apply/apply.go); ploy prunes on its own (prune.ts).
 */
export function applyCommand(options: ServerSideOptions): string {
  return ['kubectl', 'apply', ...serverSideFlags(options), '-f', '-'].join(' ');
}

/** `kubectl delete` of objects by kind[.group]/name, in one namespace ('' for cluster-scoped). */
export function deleteCommand(refs: readonly string[], namespace: string, kubeconfig: string | undefined): string {
  return ['kubectl', 'delete', ...refs.map((r) => quote(r)), '--ignore-not-found', ...targetFlags({ namespace: namespace || undefined, kubeconfig })].join(' ');
}
