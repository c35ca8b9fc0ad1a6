import { quote } from '../shell.ts';
import { targetFlags, type KubectlTarget } from './kubectl-command.ts';
import { apiGroup, resourceRef, type K8sObject } from './object.ts';

/** What ploy waits for after an apply, per kind: only what the kind reports when it is ready. */
export type KindWait = { readonly rollout: true } | { readonly condition: string };

/**
 * Rollouts for the workload kinds kubectl rollout status knows (kubectl
 * pkg/polymorphichelpers/rollout_status.go); a condition for kinds whose controllers set one:
 * Established for CRDs, Complete for Jobs, Ready for cert-manager Certificates. Nothing for the
 * rest: a Namespace, ConfigMap, Secret or Service reports no condition, and `kubectl wait` for one
 * sits until its timeout.
 */
export function waitFor(object: Pick<K8sObject, 'apiVersion' | 'kind'> & { readonly spec?: unknown }): KindWait | undefined {
  const group = apiGroup(object.apiVersion);
  if (group === 'apps' && (object.kind === 'Deployment' || object.kind === 'DaemonSet' || object.kind === 'StatefulSet')) {
    // kubectl refuses rollout status for the OnDelete strategy: nothing rolls out until pods are deleted.
    const strategy = (object.spec as { updateStrategy?: { type?: unknown } } | undefined)?.updateStrategy?.type;
    return object.kind !== 'Deployment' && strategy === 'OnDelete' ? undefined : { rollout: true };
  }
  if (group === 'apiextensions.k8s.io' && object.kind === 'CustomResourceDefinition') return { condition: 'Established' };
  if (group === 'batch' && object.kind === 'Job') return { condition: 'Complete' };
  if (group === 'cert-manager.io' && object.kind === 'Certificate') return { condition: 'Ready' };
  return undefined;
}

/** A wait for a condition on a resource the task names (kind[.group]/name), in the task's namespace. */
export interface ExtraWait {
  readonly resource: string;
  readonly condition: string;
}

/**
 * The waits after an apply as one command line (`&&`-joined, so the first failure stops it), each
 * bounded by timeoutS: the objects' own, then the extra ones. '' when there is nothing to wait for.
 */
export function waitCommand(objects: ReadonlyArray<K8sObject>, timeoutS: number, target: KubectlTarget, extra: readonly ExtraWait[] = []): string {
  const timeout = `--timeout=${timeoutS}s`;
  const steps: string[] = [];
  for (const object of objects) {
    const wait = waitFor(object);
    if (!wait) continue;
    const flags = targetFlags({ namespace: object.metadata.namespace ?? target.namespace, kubeconfig: target.kubeconfig });
    const ref = quote(resourceRef(object));
    steps.push('rollout' in wait ? ['kubectl rollout status', ref, ...flags, timeout].join(' ') : ['kubectl wait', `--for=condition=${wait.condition}`, ref, ...flags, timeout].join(' '));
  }
  for (const wait of extra) steps.push(['kubectl wait', `--for=condition=${quote(wait.condition)}`, quote(wait.resource), ...targetFlags(target), timeout].join(' '));
  return steps.join(' && ');
}
