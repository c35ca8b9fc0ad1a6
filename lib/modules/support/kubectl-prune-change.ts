import { CommandError } from '../../errors.ts';
import { deleteCommand } from '../../k8s/kubectl-command.ts';
import { classifyKubectlFailure } from '../../k8s/kubectl-failure.ts';
import type { Listing } from '../../k8s/kubectl-probe.ts';
import type { K8sObject } from '../../k8s/object.ts';
import { byNamespace, listedRef, pruneDiff, pruneShowCommand } from '../../k8s/prune-diff.ts';
import { kindNotServed, parseListing, pruneCandidates, type Listed } from '../../k8s/prune.ts';
import { maskDiffOutput } from '../../k8s/diff-output.ts';
import type { Change, ModuleContext } from '../../module.ts';
import { runChecked } from './run.ts';

export interface PruneOptions {
  readonly selector: string;
  readonly fieldManager: string;
  readonly kubeconfig?: string | undefined;
  /** The namespace objects without one go to: the one they are found in when applied. */
  readonly namespace?: string | undefined;
}

/**
 * The prune change, from the probe's listings: delete the objects that match the selector, that
 * the field manager applied, and that the manifest no longer has. With --diff, one more round trip
 * shows them as kubectl diff shows a deletion. undefined when there is nothing to prune.
 */
export async function planPrune<R>(ctx: ModuleContext, options: PruneOptions, manifest: readonly K8sObject[], listings: readonly Listing[]): Promise<Change<R> | undefined> {
  const listed: ReturnType<typeof parseListing> = [];
  for (const listing of listings) {
    if (listing.code === 0) listed.push(...parseListing(listing.output));
    else if (kindNotServed(listing.output)) continue;
    else if (['unreachable', 'not-installed'].includes(classifyKubectlFailure(listing.output, options.kubeconfig)?.kind ?? '')) return undefined;
    else
      throw new CommandError(
        'kubectl get (prune listing)',
        { code: listing.code, stdout: '', stderr: listing.output },
        `listing the objects to prune failed (rc=${listing.code}): ${listing.output.trim()}`,
      );
  }
  const doomed = pruneCandidates(listed, options.fieldManager, manifest, options.namespace ?? 'default');
  if (doomed.length === 0) return undefined;
  const names = doomed.map(describe).join(', ');
  let diff: string | undefined;
  if (ctx.wantDiff) {
    const shown = await runChecked(ctx, pruneShowCommand(doomed, options.kubeconfig), 'kubectl get of the objects to prune', { secretOutput: true });
    diff = maskDiffOutput(pruneDiff(shown.stdout, doomed));
  }
  return {
    summary: `prune ${names} (field manager "${options.fieldManager}" applied ${doomed.length === 1 ? 'it' : 'them'}, selector ${options.selector}; no longer in the manifest)`,
    ...(diff !== undefined ? { diff } : {}),
    async apply() {
      for (const [namespace, group] of byNamespace(doomed)) {
        await runChecked(ctx, deleteCommand(group.map(listedRef), namespace, options.kubeconfig), `kubectl delete of ${group.map(describe).join(', ')}`);
      }
    },
  };
}

function describe(object: Listed): string {
  return `${object.kind} ${object.namespace ? `${object.namespace}/` : ''}${object.name}`;
}
