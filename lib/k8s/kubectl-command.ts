import { quote } from '../shell.ts';
import { resourceRef, ROLLOUT_KINDS, type K8sObject } from './object.ts';

/** What every kubectl call of one kubectlApply task shares. */
export interface KubectlTarget {
  readonly namespace?: string | undefined;
  readonly kubeconfig?: string | undefined;
}

export interface ServerSideOptions extends KubectlTarget {
  readonly fieldManager: string;
  readonly forceConflicts: boolean;
  /** Prune objects matching this label selector that the manifest no longer has. */
  readonly pruneSelector?: string | undefined;
}

export interface WaitOptions {
  readonly rollout: boolean;
  /** kubectl wait --for=condition=THIS. */
  readonly condition?: string | undefined;
  /** What to wait for the condition on (kind[.group]/name); default: every object applied. */
  readonly resources?: readonly string[] | undefined;
  readonly timeoutS: number;
}

function targetFlags(target: KubectlTarget): string[] {
  return [...(target.namespace ? [`--namespace=${quote(target.namespace)}`] : []), ...(target.kubeconfig ? [`--kubeconfig=${quote(target.kubeconfig)}`] : [])];
}

function serverSideFlags(options: ServerSideOptions): string[] {
  return [
    '--server-side',
    `--field-manager=${quote(options.fieldManager)}`,
    ...(options.forceConflicts ? ['--force-conflicts'] : []),
    ...targetFlags(options),
    ...(options.pruneSelector !== undefined ? ['--prune', `--selector=${quote(options.pruneSelector)}`] : []),
  ];
}

/** `kubectl diff` of the manifest on stdin against the cluster, as server-side apply would merge it. */
export function diffCommand(options: ServerSideOptions): string {
  return ['kubectl', 'diff', ...serverSideFlags(options), '-f', '-'].join(' ');
}

/** `kubectl apply --server-side` of the manifest on stdin. */
export function applyCommand(options: ServerSideOptions): string {
  return ['kubectl', 'apply', ...serverSideFlags(options), '-f', '-'].join(' ');
}

/**
 * The waits after an apply, as one command line (`&&`-joined, so the first failure stops it):
 * `kubectl rollout status` for each Deployment/DaemonSet/StatefulSet when rollout is asked, then
 * `kubectl wait --for=condition=C` on the named resources or on every object. '' when none.
 */
export function waitCommand(objects: ReadonlyArray<Pick<K8sObject, 'apiVersion' | 'kind' | 'metadata'>>, wait: WaitOptions, target: KubectlTarget): string {
  const timeout = `--timeout=${wait.timeoutS}s`;
  const inNamespace = (namespace: string | undefined): KubectlTarget => ({ namespace: namespace ?? target.namespace, kubeconfig: target.kubeconfig });
  const steps: string[] = [];
  if (wait.rollout) {
    for (const object of objects.filter((o) => ROLLOUT_KINDS.has(o.kind))) {
      steps.push(['kubectl', 'rollout', 'status', quote(resourceRef(object)), ...targetFlags(inNamespace(object.metadata.namespace)), timeout].join(' '));
    }
  }
  if (wait.condition !== undefined) {
    const forCondition = `--for=condition=${quote(wait.condition)}`;
    if (wait.resources) {
      for (const resource of wait.resources) steps.push(['kubectl', 'wait', forCondition, quote(resource), ...targetFlags(target), timeout].join(' '));
    } else {
      for (const object of objects) steps.push(['kubectl', 'wait', forCondition, quote(resourceRef(object)), ...targetFlags(inNamespace(object.metadata.namespace)), timeout].join(' '));
    }
  }
  return steps.join(' && ');
}
