import { median, summarizePairs, type PairSummary, type Spread } from './stats.ts';
import type { ScenarioName } from './scenarios.ts';

/** What the table needs of one scenario's measurements. */
export interface ScenarioNumbers {
  name: ScenarioName;
  summary: PairSummary;
  /** Median floor time, when measured. */
  floorMs?: number;
  /** Median time of ploy starting and exiting without contacting a host, when measured. */
  startupMs?: number;
  /** The largest peak RSS of ploy's measured runs, in KiB. */
  ployPeakRssKb: number;
  /** Runs whose change counts were not what the scenario expects. */
  warnings: string[];
}

const seconds = (ms: number): string => (ms >= 10_000 ? (ms / 1000).toFixed(1) : (ms / 1000).toFixed(2));
const spreadText = (s: Spread): string => `${seconds(s.median)} (${seconds(s.min)}–${seconds(s.max)})`;
const ratioText = (s: Spread): string => `${s.median.toFixed(3)} (${s.min.toFixed(3)}–${s.max.toFixed(3)})`;

export function scenarioNumbers(input: {
  name: ScenarioName;
  pairs: readonly { ployMs: number; ansibleMs: number }[];
  floorMs: readonly number[];
  startupMs?: readonly number[];
  ployRssKb: readonly number[];
  warnings: string[];
}): ScenarioNumbers {
  return {
    name: input.name,
    summary: summarizePairs(input.pairs),
    ...(input.floorMs.length > 0 ? { floorMs: median(input.floorMs) } : {}),
    ...(input.startupMs && input.startupMs.length > 0 ? { startupMs: median(input.startupMs) } : {}),
    ployPeakRssKb: Math.max(...input.ployRssKb),
    warnings: input.warnings,
  };
}

/**
 * A markdown table (readable as plain text too): seconds as median (min–max) over the pairs, the
 * ploy/Ansible ratio taken within each pair, ploy against the floor, ploy's peak memory.
 */
export function formatTable(hosts: number, scenarios: readonly ScenarioNumbers[]): string {
  const header = ['scenario', 'hosts', 'ploy s', 'Ansible s', 'ploy/Ansible', 'speedup', 'floor s', 'ploy/floor', 'ploy peak RSS'];
  const rows = scenarios.map((s) => [
    s.name,
    String(hosts),
    spreadText(s.summary.ploy),
    spreadText(s.summary.ansible),
    ratioText(s.summary.ratio),
    `${s.summary.speedup.median.toFixed(1)}x`,
    s.floorMs === undefined ? '—' : seconds(s.floorMs),
    s.floorMs === undefined ? '—' : `${(s.summary.ploy.median / s.floorMs).toFixed(2)}x`,
    `${Math.round(s.ployPeakRssKb / 1024)} MB`,
  ]);
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** How much of a no-change run is ploy starting up: node, tsx and its modules, before any host. */
export function startupLines(scenarios: readonly ScenarioNumbers[]): string[] {
  return scenarios
    .filter((s) => s.startupMs !== undefined)
    .map((s) => {
      const startup = s.startupMs as number;
      const share = Math.round((100 * startup) / s.summary.ploy.median);
      return `ploy startup (the play with --help: node, loader and modules, no host contacted): ${seconds(startup)} s, ${share}% of the ${s.name} run's ${seconds(s.summary.ploy.median)} s`;
    });
}

/** The last lines: `speedup no-change 3 hosts: 12.3x`, one per scenario (the median of per-pair speedups). */
export function speedupLines(hosts: number, scenarios: readonly ScenarioNumbers[]): string[] {
  return scenarios.map((s) => `speedup ${s.name} ${hosts} hosts: ${s.summary.speedup.median.toFixed(1)}x`);
}

/** The targets, each with its verdict, for the numbers at hand. */
export function targetLines(hosts: number, scenarios: readonly ScenarioNumbers[]): string[] {
  const by = (name: ScenarioName) => scenarios.find((s) => s.name === name);
  const lines: string[] = [];
  const noChange = by('no-change');
  const check = by('check');
  const verdict = (ok: boolean) => (ok ? 'met' : 'MISSED');
  if (noChange) {
    const wanted = hosts >= 30 ? 25 : hosts === 1 ? 10 : undefined;
    if (wanted !== undefined)
      lines.push(`target no-change >= ${wanted}x faster than Ansible at ${hosts} hosts: ${noChange.summary.speedup.median.toFixed(1)}x, ${verdict(noChange.summary.speedup.median >= wanted)}`);
    if (hosts >= 30 && noChange.floorMs !== undefined) {
      const ratio = noChange.summary.ploy.median / noChange.floorMs;
      lines.push(`target no-change within 2x of the floor at ${hosts} hosts: ${ratio.toFixed(2)}x, ${verdict(ratio <= 2)}`);
    }
  }
  if (noChange && check) {
    const ok = check.summary.ploy.median <= noChange.summary.ploy.median * 1.05;
    lines.push(`target check <= no-change: ${seconds(check.summary.ploy.median)} s vs ${seconds(noChange.summary.ploy.median)} s, ${verdict(ok)} (5% noise allowed)`);
  }
  const peak = Math.max(...scenarios.map((s) => s.ployPeakRssKb));
  if (scenarios.length > 0) lines.push(`target peak memory < 200 MB: ${Math.round(peak / 1024)} MB, ${verdict(peak < 200 * 1024)}`);
  return lines;
}
