import { defineFlags, flagError, positiveInteger } from '../../lib/cli/flag-table.ts';
import { parseFlags } from '../../lib/cli/flags.ts';
import { SCENARIOS, type ScenarioName } from './scenarios.ts';
import { DEFAULT_LAUNCHER, LAUNCHERS, type Launcher } from './tools.ts';

function scenario(raw: string, flag: string): ScenarioName {
  const name = SCENARIOS.find((s) => s === raw);
  if (!name) throw flagError(flag, `unknown scenario "${raw}"; the scenarios are ${SCENARIOS.join(', ')}`);
  return name;
}

function launcher(raw: string, flag: string): Launcher {
  const name = LAUNCHERS.find((l) => l === raw);
  if (!name) throw flagError(flag, `unknown launcher "${raw}"; the launchers are ${LAUNCHERS.join(', ')}`);
  return name;
}

export const benchFlags = defineFlags({
  hosts: { kind: 'value', valueName: 'N', default: '1', parse: positiveInteger, description: 'Test-bed hosts to boot (ploy and Ansible both get --forks N)' },
  pairs: { kind: 'value', valueName: 'N', default: '5', parse: positiveInteger, description: 'Measured ploy/Ansible pairs per scenario, after one warm-up pair' },
  scenario: { kind: 'list', valueName: 'NAME', commaSeparated: true, parse: scenario, description: `Only these scenarios (${SCENARIOS.join(', ')}; default all)` },
  launcher: {
    kind: 'value',
    valueName: 'HOW',
    default: DEFAULT_LAUNCHER,
    parse: launcher,
    description: 'How ploy is started: ploy (bin/ploy, as users run it; its cache warmed first), tsx, node (node --import tsx), bundle (plain node on the play bundled by esbuild beforehand)',
  },
  profile: { kind: 'boolean', description: 'Afterwards, one more ploy run per scenario with -v and --cpu-prof, summarised (the work directory is kept)' },
  results: { kind: 'value', valueName: 'PATH', description: 'Where to write the JSON results (default bench/results/N-hosts.json for bin/ploy, N-hosts-LAUNCHER.json for the others)' },
  keep: { kind: 'boolean', description: "Keep the work directory (every run's output) even when all went well" },
  help: { kind: 'boolean', short: 'h', description: 'Show this help and exit' },
});

export function parseBenchFlags(argv: readonly string[]) {
  const flags = parseFlags(argv, benchFlags);
  return { ...flags, scenarios: flags.scenario.length > 0 ? SCENARIOS.filter((s) => flags.scenario.includes(s)) : [...SCENARIOS] };
}
