/**
 * The guard before the first server's kubeconfig is read for the operator: K3s writes
 * /etc/rancher/k3s/k3s.yaml when it first starts, so on a fresh cluster it is not there yet. Then
 * check mode cannot know what the operator's kubeconfig will hold (the task is skipped, "cannot
 * predict", saying why), and a real run fails with the reason instead of a bare "does not exist".
 */
import { defineModule, ModuleArgsError, quote, TaskFailedError, type Change } from '../../lib/index.ts';

export interface KubeconfigSourceArgs {
  /** The file on the host the task runs on (delegated to the first server). */
  path: string;
}

export interface KubeconfigSourceData {
  present: boolean;
}

export const kubeconfigSource = defineModule<KubeconfigSourceArgs, KubeconfigSourceData>({
  name: 'kubeconfigSource',

  validate(args) {
    if (typeof args?.path !== 'string' || !args.path.startsWith('/')) throw new ModuleArgsError(`must be an absolute path, got ${JSON.stringify(args?.path)}`, { field: 'path' });
    return args;
  },

  async plan(ctx, args) {
    const result = await ctx.exec(`test -f ${quote(args.path)}`, { probe: true });
    if (result.code === 0) return { changes: [], data: { present: true } };
    if (result.code !== 1) throw new TaskFailedError(`cannot tell whether ${args.path} exists on ${ctx.host} (rc=${result.code}): ${result.stderr.trim()}`);
    const reason = `${ctx.host} has no ${args.path} yet: K3s writes it when it first starts (the k3s-server role)`;
    // `reason` is what check mode prints once the runner reads it (issue 12); until then the task's name says it.
    const waiting = {
      summary: `read ${ctx.host}:${args.path} for the operator's kubeconfig`,
      predictable: false,
      reason,
      apply: async (): Promise<void> => {
        throw new TaskFailedError(reason);
      },
    };
    const changes: Change<KubeconfigSourceData>[] = [waiting];
    return { changes, data: { present: false } };
  },
});
