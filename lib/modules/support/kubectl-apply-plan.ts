import { CommandError, TaskFailedError } from '../../errors.ts';
import { crdsFirst, definingCrd } from '../../k8s/crds.ts';
import { changedObjects, maskDiffOutput } from '../../k8s/diff-output.ts';
import { applyCommand, diffCommand, type ServerSideOptions } from '../../k8s/kubectl-command.ts';
import { classifyKubectlFailure, describeConflicts, errorLine } from '../../k8s/kubectl-failure.ts';
import { parseProbe, probeScript, type KubectlProbe } from '../../k8s/kubectl-probe.ts';
import { manifestText } from '../../k8s/manifest.ts';
import { objectRef, type K8sObject } from '../../k8s/object.ts';
import type { PreparedObjects } from '../../k8s/prepare-objects.ts';
import { pruneListCommands } from '../../k8s/prune.ts';
import { waitCommand } from '../../k8s/waits.ts';
import type { Change, ModuleContext, Plan } from '../../module.ts';
import type { KubectlApplyArgs, KubectlApplyData } from '../kubectl-apply.ts';
import { planPrune } from './kubectl-prune-change.ts';
import { runChecked } from './run.ts';

/** How long to wait for CRDs applied ahead of their objects to be Established, without wait.timeoutS. */
const CRD_ESTABLISHED_S = 60;

export function serverSideOptions(args: KubectlApplyArgs): ServerSideOptions {
  return { fieldManager: args.fieldManager ?? 'ploy', forceConflicts: args.forceConflicts ?? false, namespace: args.namespace, kubeconfig: args.kubeconfig };
}

/**
 * One round trip decides: `kubectl diff --server-side` (and, when pruning, the listings of what
 * the task applied before). A diff that fails says why, and the plan follows it:
 *  - the cluster does not answer (no kubeconfig yet, API server down): the apply cannot be
 *    predicted; check mode skips it with the reason, a real run applies and fails with kubectl's words;
 *  - a namespace or a CRD the manifest itself creates is missing: the apply is a change;
 *  - a kind no CRD serves yet: cannot be predicted (an earlier task may install the CRD);
 *  - a field another manager owns: the task fails, naming the fields and the manager, unless forceConflicts.
 */
export async function planKubectlApply(ctx: ModuleContext, args: KubectlApplyArgs, prepared: PreparedObjects): Promise<Plan<KubectlApplyData>> {
  const options = serverSideOptions(args);
  const objects = prepared.objects.map((p) => p.plain);
  const data = { objects: objects.map(objectRef) };
  const listings = args.prune ? pruneListCommands(objects, args.prune.selector, options) : [];
  const script = probeScript(diffCommand(options), listings);
  const result = await ctx.exec(script, { stdin: prepared.text });
  let probe: KubectlProbe;
  try {
    probe = parseProbe(result, listings.length);
  } catch (error) {
    throw new CommandError(script, result, `${(error as Error).message} (rc=${result.code})${result.stderr.trim() ? `: ${result.stderr.trim()}` : ''}`);
  }
  const applying = planApply(ctx, args, prepared, probe, options);
  const changes: Change<KubectlApplyData>[] = applying ? [applying] : [];
  if (args.prune && applying?.predictable !== false) {
    const pruning = await planPrune(ctx, { selector: args.prune.selector, fieldManager: options.fieldManager, kubeconfig: args.kubeconfig, namespace: args.namespace }, objects, probe.listings);
    if (pruning) changes.push(pruning);
  }
  return { changes, data };
}

function planApply(ctx: ModuleContext, args: KubectlApplyArgs, prepared: PreparedObjects, probe: KubectlProbe, options: ServerSideOptions): Change<KubectlApplyData> | undefined {
  const { diff } = probe;
  if (diff.code === 0) return undefined;
  const objects = prepared.objects.map((p) => p.plain);
  const count = `apply ${objects.length} object${objects.length === 1 ? '' : 's'} server-side`;
  const change = (summary: string, extra: Partial<Change<KubectlApplyData>> = {}): Change<KubectlApplyData> => ({ summary, ...extra, apply: () => applyAll(ctx, args, prepared, options) });
  if (diff.code === 1) {
    const changed = changedObjects(diff.stdout);
    return change(`${count}: ${changed.length > 0 ? `${changed.join(', ')} differ` : 'kubectl diff reports differences'}`, ctx.wantDiff ? { diff: maskDiffOutput(diff.stdout) } : {});
  }
  const failure = classifyKubectlFailure(diff.stderr, args.kubeconfig);
  const failed = () => new CommandError(diffCommand(options), diff, `kubectl diff failed (rc=${diff.code})${diff.stderr.trim() ? `: ${diff.stderr.trim()}` : ''}`);
  switch (failure?.kind) {
    case 'unreachable':
      return change(count, { predictable: false, reason: `the cluster does not answer (${failure.reason})` });
    case 'not-installed':
      return change(count, { predictable: false, reason: `${failure.tool} is not installed on the host yet` });
    case 'namespaces': {
      const created = new Set(objects.filter((o) => o.kind === 'Namespace' && o.apiVersion === 'v1').map((o) => o.metadata.name));
      if (!failure.namespaces.every((ns) => created.has(ns))) throw failed();
      return change(`${count}: namespace ${failure.namespaces.join(', ')} is new (kubectl diff cannot dry-run objects in a namespace that does not exist yet)`);
    }
    case 'not-served': {
      const crd = definingCrd(objects, failure.apiVersion, failure.objectKind);
      if (crd) return change(`${count}: CustomResourceDefinition ${crd.metadata.name} is new (kubectl diff cannot dry-run ${failure.objectKind} objects before it is served)`);
      return change(count, {
        predictable: false,
        reason: `kind ${failure.objectKind} (${failure.apiVersion}) is not served by the cluster yet: no CustomResourceDefinition defines it (an earlier task may install it)`,
      });
    }
    case 'conflict':
      throw new TaskFailedError(
        `kubectl diff: the API server refuses this apply: ${describeConflicts(failure.conflicts)}. ploy applies as field manager "${options.fieldManager}" and takes no field another manager owns: set forceConflicts: true to take ${failure.conflicts.length === 1 && failure.conflicts[0]?.fields.length === 1 ? 'it' : 'them'} over, or leave ${failure.conflicts.length === 1 && failure.conflicts[0]?.fields.length === 1 ? 'it' : 'them'} out of the manifest (${errorLine(diff.stderr)})`,
      );
    default:
      throw failed();
  }
}

/** The apply of a change: CRDs first when the manifest has objects of their kinds, then everything, then the waits. */
async function applyAll(ctx: ModuleContext, args: KubectlApplyArgs, prepared: PreparedObjects, options: ServerSideOptions): Promise<void> {
  const objects = prepared.objects.map((p) => p.plain);
  const first = crdsFirst(objects);
  if (first.length > 0) {
    await runChecked(ctx, applyCommand(options), 'kubectl apply of the CustomResourceDefinitions', { stdin: manifestText(first) });
    const crds: K8sObject[] = first.filter((o) => o.kind === 'CustomResourceDefinition');
    await runChecked(ctx, waitCommand(crds, args.wait?.timeoutS ?? CRD_ESTABLISHED_S, options), 'waiting for the CustomResourceDefinitions to be Established');
  }
  await runChecked(ctx, applyCommand(options), 'kubectl apply', { stdin: prepared.text });
  if (!args.wait) return;
  const extra = args.wait.condition !== undefined ? (args.wait.resources ?? []).map((resource) => ({ resource, condition: args.wait?.condition ?? '' })) : [];
  const waits = waitCommand(objects, args.wait.timeoutS, options, extra);
  if (waits) await runChecked(ctx, waits, 'waiting for the applied objects');
}
