/**
 * `tsx bench/check-cost.ts [--hosts 1] [--pairs 15]`: does ploy's check mode cost more than a
 * no-change run? The main bench measures the two scenarios one after the other, minutes apart, so
 * a drift in the machine's load shows up as a difference between them. Here the two runs alternate
 * (no-change, check, no-change, check ...) on the same converged hosts, after one warm-up pair, and
 * each pair's check/no-change ratio is taken in the same minute. Every run must report changed=0.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineFlags, positiveInteger } from '../lib/cli/flag-table.ts';
import { parseFlags } from '../lib/cli/flags.ts';
import { PloyError } from '../lib/errors.ts';
import { startTestbed } from '../test/testbed/bed.ts';
import { ensureAptRepo } from './lib/apt-repo.ts';
import { expectHosts, resetHosts, useLocalAptRepo } from './lib/bed-hosts.ts';
import { BENCH } from './lib/desired-state.ts';
import { serveDirectory } from './lib/file-server.ts';
import { spread, type Spread } from './lib/stats.ts';
import { runTool } from './lib/tool-run.ts';
import { ployCommand, prepareHome, warmLauncherCommand, type ToolSetup } from './lib/tools.ts';

const table = defineFlags({
  hosts: { kind: 'value', valueName: 'N', default: '1', parse: positiveInteger, description: 'Bed hosts' },
  pairs: { kind: 'value', valueName: 'N', default: '15', parse: positiveInteger, description: 'Measured pairs (no-change, check)' },
});
const flags = parseFlags(process.argv.slice(2), table);
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const workDir = mkdtempSync('/tmp/ploy-check-cost-');
const repo = await ensureAptRepo([...BENCH.packages, ...BENCH.dependencies]);
const bed = await startTestbed({ hosts: Array.from({ length: flags.hosts }, (_, i) => ({ name: `b${String(i + 1).padStart(2, '0')}` })) });
const server = await serveDirectory(repo, bed.hosts[0]!.ip.replace(/\.\d+$/, '.1'));
try {
  await useLocalAptRepo(bed, server.url);
  await resetHosts(bed);
  const setup: ToolSetup = { root, inventoryPath: bed.inventoryPath, forks: flags.hosts, home: prepareHome(workDir), launcher: 'ploy' };
  await runTool(warmLauncherCommand(setup), join(workDir, 'warm.log'));
  const converge = await runTool(ployCommand(setup, { check: false }), join(workDir, 'converge.log'));
  if (converge.exitCode !== 0) throw new PloyError(`check-cost: the first converge failed; see ${converge.logPath}`);
  await expectHosts(bed, 'converged', 'the first converge');

  const noChange: number[] = [];
  const check: number[] = [];
  for (let pair = 0; pair <= flags.pairs; pair++) {
    for (const mode of ['no-change', 'check'] as const) {
      const run = await runTool(ployCommand(setup, { check: mode === 'check' }), join(workDir, `${mode}-${pair}.log`));
      const changed = Object.values(run.recap).reduce((sum, host) => sum + host.changed, 0);
      if (run.exitCode !== 0 || changed !== 0) throw new PloyError(`check-cost: ${mode} run ${pair} exited ${run.exitCode} with changed=${changed}; see ${run.logPath}`);
      if (pair > 0) (mode === 'check' ? check : noChange).push(run.wallMs);
    }
  }
  await expectHosts(bed, 'converged', 'the measured runs');
  const ratios = check.map((ms, i) => ms / (noChange[i] as number));
  const seconds = (s: Spread) => `${(s.median / 1000).toFixed(3)} s (${(s.min / 1000).toFixed(3)}–${(s.max / 1000).toFixed(3)})`;
  console.log(`${flags.hosts} hosts, ${flags.pairs} pairs alternating no-change and check (after one warm-up pair), bin/ploy:`);
  console.log(`  no-change ${seconds(spread(noChange))}`);
  console.log(`  check     ${seconds(spread(check))}`);
  const ratio = spread(ratios);
  console.log(
    `  check/no-change, pair by pair: median ${ratio.median.toFixed(3)} (${ratio.min.toFixed(3)}–${ratio.max.toFixed(3)}); check was the faster of the two in ${ratios.filter((r) => r < 1).length} of ${ratios.length} pairs`,
  );
} finally {
  await server.close();
  await bed.stop();
  rmSync(workDir, { recursive: true, force: true });
}
