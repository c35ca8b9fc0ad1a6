import { defineModule } from '../module.ts';
import { requireObject } from '../modules/support/args.ts';
import { parseProbeOutput } from '../modules/support/probe.ts';
import { runChecked } from '../modules/support/run.ts';
import { FACTS_SCRIPT, parseFacts, type HostFacts } from './host-facts.ts';

/**
 * What t.facts() runs, once per host per run: a read that changes nothing, so it runs in check mode
 * too, and a batchable probe, so it travels with the probes of the tasks that follow it.
 */
export const gatherFacts = defineModule<Record<string, never>, HostFacts>({
  name: 'facts',
  batchProbes: true,

  validate(args) {
    requireObject(args, []);
    return args;
  },

  async plan(ctx) {
    const result = await runChecked(ctx, FACTS_SCRIPT, 'gathering facts', { probe: true });
    return { changes: [], data: parseFacts(parseProbeOutput(result.stdout)) };
  },
});
