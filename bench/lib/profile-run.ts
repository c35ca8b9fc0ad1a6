import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { PloyError } from '../../lib/errors.ts';
import { commandsPerHost, summarizeProfile, type CpuProfile, type ProfileSummary } from './cpu-profile.ts';
import type { ScenarioName } from './scenarios.ts';
import { runTool } from './tool-run.ts';
import { ployCommand, type ToolSetup } from './tools.ts';
import { median } from './stats.ts';

export interface ProfileReport {
  scenario: ScenarioName;
  wallMs: number;
  /** Remote commands (channels) per host: median, min, max over the hosts. */
  commandsPerHost: { median: number; min: number; max: number };
  /** Median summed time of one host's commands (round trips included). */
  commandMsPerHost: number;
  profile?: ProfileSummary;
  profilePath?: string;
}

/**
 * One extra, unmeasured ploy run on hosts in the scenario's state, with -v (to count its remote
 * commands per host) under node --cpu-prof.
 */
export async function profilePloy(setup: ToolSetup, workDir: string, scenario: ScenarioName): Promise<ProfileReport> {
  const dir = join(workDir, `profile-${scenario}`);
  mkdirSync(dir, { recursive: true });
  const command = ployCommand(setup, { check: scenario === 'check', verbose: true, cpuProfileDir: dir });
  const run = await runTool(command, join(dir, 'ploy-v.log'));
  if (run.exitCode !== 0) throw new PloyError(`bench: the profiled ploy ${scenario} run exited ${run.exitCode}; see ${run.logPath}`);
  const perHost = Object.values(commandsPerHost(readFileSync(run.logPath, 'utf8')));
  const counts = perHost.map((h) => h.commands);
  const report: ProfileReport = {
    scenario,
    wallMs: run.wallMs,
    commandsPerHost: { median: median(counts), min: Math.min(...counts), max: Math.max(...counts) },
    commandMsPerHost: median(perHost.map((h) => h.ms)),
  };
  const profiles = existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => f.endsWith('.cpuprofile'))
        .map((f) => join(dir, f))
    : [];
  const largest = profiles.sort((a, b) => statSync(b).size - statSync(a).size)[0];
  if (largest) {
    report.profilePath = largest;
    report.profile = summarizeProfile(JSON.parse(readFileSync(largest, 'utf8')) as CpuProfile);
  }
  return report;
}

export function formatProfile(report: ProfileReport): string[] {
  const lines = [
    `profile ${report.scenario}: ${(report.wallMs / 1000).toFixed(2)} s with -v and --cpu-prof; ${report.commandsPerHost.median} remote commands per host (${report.commandsPerHost.min}–${report.commandsPerHost.max}), ${Math.round(report.commandMsPerHost)} ms of them per host`,
  ];
  if (report.profile) {
    lines.push(`  process ${Math.round(report.profile.totalMs)} ms: ${report.profile.byArea.map((a) => `${a.area} ${Math.round(a.ms)} ms`).join(', ')}`);
    for (const fn of report.profile.topFunctions.slice(0, 8)) lines.push(`    ${Math.round(fn.ms)} ms  ${fn.name}  ${fn.where}`);
    lines.push(`  (${report.profilePath})`);
  }
  return lines;
}
