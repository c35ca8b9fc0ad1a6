import { contentProbeScript } from './content-plan.ts';

/**
 * Several content probes in one round trip: each file's probe runs on its own and its lines are
 * prefixed with a name, so each file's facts can be handed to planContentFromFacts apart.
 */
export function contentProbesScript(files: Record<string, string>): string {
  return Object.entries(files)
    .map(([name, path]) => {
      if (!/^[a-z][a-z0-9]*$/.test(name)) throw new Error(`probe name ${name} must be a plain word`);
      return [`ploy_out=$(\n${contentProbeScript(path)}\n) || exit 3`, `printf '%s\\n' "$ploy_out" | sed 's/^/${name}:/'`].join('\n');
    })
    .join('\n');
}

/** The facts of one file of contentProbesScript, under the keys planContentFromFacts reads. */
export function factsOf(facts: Map<string, string[]>, name: string): Map<string, string[]> {
  const prefix = `${name}:`;
  const out = new Map<string, string[]>();
  for (const [key, values] of facts) if (key.startsWith(prefix)) out.set(key.slice(prefix.length), values);
  return out;
}
