import { defineModule, ModuleArgsError, parseProbeOutput, quote } from '../../lib/index.ts';
import { reportedK3sVersion } from './vars.ts';

export interface K3sState {
  /** The release the installed binary reports; absent when none is installed. */
  version?: string;
  /** Whether the k3s unit is running. */
  active: boolean;
}

/**
 * What is on the server now, in one read-only probe (batched with the role's other probes): the
 * installed release, to refuse a downgrade before anything changes, and whether k3s runs, to check
 * that the first server answers before this one starts to join it.
 */
export const k3sState = defineModule<{ binary: string }, K3sState>({
  name: 'k3sState',
  batchProbes: true,

  validate(args) {
    if (typeof args.binary !== 'string' || !args.binary.startsWith('/')) throw new ModuleArgsError('must be an absolute path', { field: 'binary' });
    return args;
  },

  async plan(ctx, args) {
    const script = [
      `if [ -x ${quote(args.binary)} ]; then printf 'version=%s\\n' "$(${quote(args.binary)} --version 2>/dev/null | head -n 1)"; fi`,
      'printf \'active=%s\\n\' "$(systemctl is-active k3s 2>/dev/null)"',
    ].join('\n');
    const result = await ctx.exec(script, { probe: true });
    const facts = parseProbeOutput(result.stdout);
    const version = reportedK3sVersion(facts.get('version')?.[0] ?? '');
    return { changes: [], data: { ...(version ? { version } : {}), active: facts.get('active')?.[0] === 'active' } };
  },
});
