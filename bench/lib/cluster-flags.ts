import { defineFlags, flagError, positiveInteger } from '../../lib/cli/flag-table.ts';
import { parseFlags } from '../../lib/cli/flags.ts';

export const clusterBenchFlags = defineFlags({
  pairs: { kind: 'value', valueName: 'N', default: '7', parse: positiveInteger, description: 'Measured floor/ploy pairs, after one warm-up pair' },
  limit: { kind: 'value', valueName: 'RATIO', default: '2', parse: positiveNumber, description: 'Exit 1 when the median ploy/floor ratio is above this' },
  results: { kind: 'value', valueName: 'PATH', description: 'Where to write the JSON results (default bench/results/cluster-no-change.json)' },
  keep: { kind: 'boolean', description: "Keep the work directory (every run's output) even when all went well" },
  help: { kind: 'boolean', short: 'h', description: 'Show this help and exit' },
});

function positiveNumber(raw: string, flag: string): number {
  const value = Number(raw);
  if (!(value > 0)) throw flagError(flag, `must be a positive number, got "${raw}"`);
  return value;
}

export function parseClusterBenchFlags(argv: readonly string[]) {
  return parseFlags(argv, clusterBenchFlags);
}
