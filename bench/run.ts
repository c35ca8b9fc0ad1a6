/**
 * `npm run bench -- --hosts N [--pairs 5] [--scenario no-change] [--profile]`: ploy against
 * ansible-playbook on an N-host test bed, interleaved, with the floor; see docs/bench.md.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatHelp } from '../lib/cli/help.ts';
import { PloyError } from '../lib/errors.ts';
import { startTestbed, type Testbed } from '../test/testbed/bed.ts';
import { ensureAptRepo } from './lib/apt-repo.ts';
import { bundlePlay } from './lib/bundle.ts';
import { expectHosts, resetHosts, useLocalAptRepo } from './lib/bed-hosts.ts';
import { BENCH } from './lib/desired-state.ts';
import { serveDirectory, type FileServer } from './lib/file-server.ts';
import { benchFlags, parseBenchFlags } from './lib/flags.ts';
import { machineInfo } from './lib/machine.ts';
import { formatProfile, profilePloy, type ProfileReport } from './lib/profile-run.ts';
import { formatTable, scenarioNumbers, speedupLines, startupLines, targetLines } from './lib/report.ts';
import { runScenario, type BenchContext, type ScenarioResult } from './lib/scenarios.ts';
import { stopRunningTools, runTool } from './lib/tool-run.ts';
import { DEFAULT_LAUNCHER, ployCommand, prepareHome, warmLauncherCommand, type ToolSetup } from './lib/tools.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const flags = parseBenchFlags(argv);
if (flags.help) {
  process.stdout.write(formatHelp('npm run bench --', benchFlags, 'Boots a test bed and times ploy against ansible-playbook on it (run as root).'));
  process.exit(0);
}
const progress = (line: string) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
const workDir = mkdtempSync('/tmp/ploy-bench-');
let bed: Testbed | undefined;
let server: FileServer | undefined;
let succeeded = false;

try {
  const machine = await machineInfo(root);
  progress(`${flags.hosts} hosts, ${flags.pairs} pairs, scenarios ${flags.scenarios.join(', ')}; work directory ${workDir}`);
  const repo = await ensureAptRepo([...BENCH.packages, ...BENCH.dependencies]);
  const names = Array.from({ length: flags.hosts }, (_, i) => `b${String(i + 1).padStart(2, '0')}`);
  bed = await startTestbed({ hosts: names.map((name) => ({ name })) });
  const gateway = bed.hosts[0]!.ip.replace(/\.\d+$/, '.1');
  server = await serveDirectory(repo, gateway);
  await useLocalAptRepo(bed, server.url);
  await resetHosts(bed);
  progress(`bed up: ${bed.inventoryPath}; apt repository ${server.url}`);

  const setup: ToolSetup = { root, inventoryPath: bed.inventoryPath, forks: flags.hosts, home: prepareHome(workDir), launcher: flags.launcher };
  if (flags.launcher === 'bundle') {
    const bundle = await bundlePlay(root);
    setup.bundlePath = bundle.path;
    progress(`play bundled in ${Math.round(bundle.buildMs)} ms (not timed): ${relative(root, bundle.path)}`);
  }
  if (flags.launcher === 'ploy') {
    const warm = await runTool(warmLauncherCommand(setup), join(workDir, 'launcher-warm-up.log'));
    if (warm.exitCode !== 0) throw new PloyError(`bench: bin/ploy could not build the play; see ${warm.logPath}`);
    progress(`bin/ploy cache warmed in ${Math.round(warm.wallMs)} ms (not timed)`);
  }
  const ctx: BenchContext = {
    bed,
    setup,
    workDir,
    pairs: flags.pairs,
    floorTargets: bed.hosts.map((h) => ({ name: h.name, address: h.ip, port: 22, user: 'root' })),
    keyPath: bed.keyPath,
    knownHostsPath: bed.knownHostsPath,
    progress,
  };

  const results: ScenarioResult[] = [];
  let converged = false;
  for (const name of flags.scenarios) {
    if (name !== 'converge' && !converged) {
      const run = await runTool(ployCommand(setup, { check: false }), join(workDir, 'initial-converge.log'));
      if (run.exitCode !== 0) throw new PloyError(`bench: the unmeasured first converge failed; see ${run.logPath}`);
      await expectHosts(bed, 'converged', 'the unmeasured first converge');
    }
    results.push(await runScenario(ctx, name));
    converged = true;
  }
  const profiles: ProfileReport[] = [];
  if (flags.profile) {
    for (const name of flags.scenarios) {
      if (name === 'converge') await resetHosts(bed);
      profiles.push(await profilePloy(setup, workDir, name));
      await expectHosts(bed, 'converged', `the profiled ${name} run`);
    }
  }

  const numbers = results.map((r) =>
    scenarioNumbers({
      name: r.name,
      pairs: r.pairs,
      floorMs: r.floorMs,
      startupMs: r.startupMs,
      ployRssKb: r.runs.filter((run) => run.tool === 'ploy' && !run.warmup).map((run) => run.peakRssKb),
      warnings: r.runs.filter((run) => !run.warmup).flatMap((run) => run.warnings.map((w) => `${run.tool} pair ${run.pair}: ${w}`)),
    }),
  );
  const command = `npm run bench -- ${argv.join(' ')}`.trim();
  const table = formatTable(flags.hosts, numbers);
  const out: string[] = [
    '',
    `${command}   (${new Date().toISOString().slice(0, 10)}, ${machine.cores} cores ${machine.cpuModel}, ${machine.ansible}, ploy ${machine.ployCommit}, launcher ${flags.launcher})`,
    '',
    table,
    '',
    ...startupLines(numbers),
  ];
  for (const n of numbers) if (n.warnings.length > 0) out.push(`warnings ${n.name}: ${n.warnings.slice(0, 5).join('; ')}${n.warnings.length > 5 ? ` (+${n.warnings.length - 5})` : ''}`);
  for (const p of profiles) out.push(...formatProfile(p));
  out.push(...targetLines(flags.hosts, numbers), '', ...speedupLines(flags.hosts, numbers));
  process.stdout.write(`${out.join('\n')}\n`);

  const resultsPath = resolve(flags.results ?? join(root, 'bench', 'results', `${flags.hosts}-hosts${flags.launcher === DEFAULT_LAUNCHER ? '' : `-${flags.launcher}`}.json`));
  mkdirSync(dirname(resultsPath), { recursive: true });
  writeFileSync(
    resultsPath,
    `${JSON.stringify({ command, date: new Date().toISOString(), hosts: flags.hosts, pairs: flags.pairs, launcher: flags.launcher, machine, scenarios: results.map((r, i) => ({ ...r, summary: numbers[i] })), profiles, table }, null, 2)}\n`,
  );
  progress(`results written to ${relative(process.cwd(), resultsPath)}`);
  succeeded = true;
} catch (error) {
  process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
} finally {
  stopRunningTools();
  await server?.close();
  await bed?.stop();
  // The profiles named in the report stay where they are.
  if (succeeded && !flags.keep && !flags.profile) rmSync(workDir, { recursive: true, force: true });
  else progress(`work directory kept: ${workDir}`);
}
