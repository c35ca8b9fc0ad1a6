import { join } from 'node:path';
import { loadavg } from 'node:os';
import { PloyError } from '../../lib/errors.ts';
import type { Testbed } from '../../test/testbed/bed.ts';
import { expectHosts, resetHosts } from './bed-hosts.ts';
import { measureFloor, type FloorTarget } from './floor.ts';
import { convergedFacts, differences, parseFacts, probeScript } from './host-state.ts';
import { recapProblems, total } from './recap.ts';
import type { Pair } from './stats.ts';
import { runTool, type Tool, type ToolRun } from './tool-run.ts';
import { ansibleCommand, newControlDir, ployCommand, ployStartupCommand, stopControlMasters, type ToolSetup } from './tools.ts';

export const SCENARIOS = ['converge', 'no-change', 'check'] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

/** Tasks in the play (both tools): on a fresh host every one of them changes something. */
export const TASKS = 11;

export interface BenchContext {
  bed: Testbed;
  setup: ToolSetup;
  /** Logs and control sockets go here. */
  workDir: string;
  /** Measured pairs, after one warm-up pair. */
  pairs: number;
  floorTargets: FloorTarget[];
  keyPath: string;
  knownHostsPath: string;
  progress(line: string): void;
}

export interface RunRecord {
  tool: Tool;
  pair: number;
  warmup: boolean;
  wallMs: number;
  peakRssKb: number;
  changed: number;
  /** Change counts other than the scenario expects (the run still counts: its end state was checked). */
  warnings: string[];
  logPath: string;
}

export interface ScenarioResult {
  name: ScenarioName;
  pairs: Pair[];
  runs: RunRecord[];
  /** Floor times (no-change and check only), one per pair, warm-up left out. */
  floorMs: number[];
  /** ploy started with --help, no host contacted (no-change only), one per pair. */
  startupMs: number[];
  loadBefore: number[];
  loadAfter: number[];
}

/**
 * One scenario: a warm-up pair, then `pairs` measured pairs, ploy then Ansible each time (A B A B).
 * Converge resets the hosts before each run; every run's end state is checked on every host, and
 * a run that fails, leaves a host unreachable or ends in another state stops the bench.
 */
export async function runScenario(ctx: BenchContext, name: ScenarioName): Promise<ScenarioResult> {
  const result: ScenarioResult = { name, pairs: [], runs: [], floorMs: [], startupMs: [], loadBefore: loadavg(), loadAfter: [] };
  for (let pair = 0; pair <= ctx.pairs; pair++) {
    const warmup = pair === 0;
    const times: Partial<Record<Tool, number>> = {};
    for (const tool of ['ploy', 'ansible'] as const) {
      if (name === 'converge') await resetHosts(ctx.bed);
      const record = await runOnce(ctx, name, tool, pair, warmup);
      result.runs.push(record);
      times[tool] = record.wallMs;
      ctx.progress(
        `${name} ${warmup ? 'warm-up' : `pair ${pair}/${ctx.pairs}`} ${tool}: ${(record.wallMs / 1000).toFixed(2)} s${record.warnings.length ? ` (${record.warnings.length} warnings)` : ''}`,
      );
    }
    if (name !== 'converge') {
      const floor = await floorOnce(ctx);
      if (!warmup) result.floorMs.push(floor);
      ctx.progress(`${name} ${warmup ? 'warm-up' : `pair ${pair}/${ctx.pairs}`} floor: ${(floor / 1000).toFixed(3)} s`);
    }
    if (name === 'no-change') {
      const startup = await runTool(ployStartupCommand(ctx.setup), join(ctx.workDir, `startup-${pair}.log`));
      if (startup.exitCode !== 0) throw new PloyError(`bench: ploy --help exited ${startup.exitCode}; see ${startup.logPath}`);
      if (!warmup) result.startupMs.push(startup.wallMs);
    }
    if (!warmup) result.pairs.push({ ployMs: times.ploy ?? Number.NaN, ansibleMs: times.ansible ?? Number.NaN });
  }
  result.loadAfter = loadavg();
  return result;
}

async function runOnce(ctx: BenchContext, name: ScenarioName, tool: Tool, pair: number, warmup: boolean): Promise<RunRecord> {
  const check = name === 'check';
  const logPath = join(ctx.workDir, `${name}-${pair}-${tool}.log`);
  let run: ToolRun;
  if (tool === 'ploy') {
    run = await runTool(ployCommand(ctx.setup, { check }), logPath);
  } else {
    const controlDir = newControlDir(join(ctx.workDir, 'control'));
    try {
      run = await runTool(ansibleCommand(ctx.setup, { check, controlDir }), logPath);
    } finally {
      await stopControlMasters(controlDir);
    }
  }
  const hosts = ctx.bed.hosts.map((h) => h.name);
  if (run.exitCode !== 0) throw new PloyError(`bench: ${tool} ${name} exited ${run.exitCode}; see ${logPath}`);
  const problems = recapProblems(run.recap, hosts, name === 'converge' ? 'all' : 'none', TASKS);
  const fatal = problems.filter((p) => /failed=|no recap/.test(p));
  if (fatal.length > 0) throw new PloyError(`bench: ${tool} ${name}: ${fatal.join('; ')}; see ${logPath}`);
  await expectHosts(ctx.bed, 'converged', `${tool} ${name} (log: ${logPath})`);
  return { tool, pair, warmup, wallMs: run.wallMs, peakRssKb: run.peakRssKb, changed: total(run.recap, 'changed'), warnings: problems, logPath };
}

/** The floor, and a check that its one command really read a converged host. */
async function floorOnce(ctx: BenchContext): Promise<number> {
  const floor = await measureFloor(ctx.floorTargets, ctx.keyPath, ctx.knownHostsPath, probeScript());
  for (const host of ctx.bed.hosts) {
    const found = differences(convergedFacts(host.name, host.ip), parseFacts(floor.outputs[host.name] ?? ''));
    if (found.length > 0) throw new PloyError(`bench: the floor's command read an unexpected state on ${host.name}: ${found.join('; ')}`);
  }
  return floor.wallMs;
}
