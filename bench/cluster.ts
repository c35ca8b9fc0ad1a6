/**
 * `npm run bench:cluster -- [--pairs 7] [--limit 2]`: a no-change run of the whole playbooks/site.ts
 * on the site bed (the demo's: a bastion and three servers only it reaches, every role's stand-ins,
 * a release mirror, a registry; test/support/site-bed.ts) against the SSH floor for the same hosts
 * through the same bastion, interleaved pair by pair.
 * Exits 1 when the median ploy/floor ratio is above --limit; see docs/bench.md.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatHelp } from '../lib/cli/help.ts';
import { PloyError } from '../lib/errors.ts';
import { roundTripsPerHost } from '../test/support/cluster-bed.ts';
import { SITE_DEMO_HOST, SITE_HOSTS, SITE_SECRETS, SITE_SERVERS, startSiteBed, type SiteBed } from '../test/support/site-bed.ts';
import { clusterBenchFlags, parseClusterBenchFlags } from './lib/cluster-flags.ts';
import type { FloorTarget } from './lib/floor.ts';
import { measureJumpFloor } from './lib/jump-floor.ts';
import { siteFloorCommands } from './lib/site-floor.ts';
import { machineInfo } from './lib/machine.ts';
import { total } from './lib/recap.ts';
import { spread } from './lib/stats.ts';
import { stopRunningTools, runTool, type ToolCommand, type ToolRun } from './lib/tool-run.ts';
import { ployLauncher } from './lib/tools.ts';

const SERVERS: readonly string[] = SITE_SERVERS;
const HOSTS: readonly string[] = SITE_HOSTS;
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const flags = parseClusterBenchFlags(argv);
if (flags.help) {
  process.stdout.write(
    formatHelp('npm run bench:cluster --', clusterBenchFlags, 'Boots the site bed, as the demo does, and times a no-change site.ts, every role, against the SSH floor (run as root).'),
  );
  process.exit(0);
}
const progress = (line: string) => process.stderr.write(`[bench:cluster ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
const workDir = mkdtempSync('/tmp/ploy-bench-cluster-');
let siteBed: SiteBed | undefined;
let succeeded = false;

interface ClusterPair {
  pair: number;
  warmup: boolean;
  floorMs: number;
  ployMs: number;
  ployFirst: boolean;
  load: number[];
}

try {
  const machine = await machineInfo(root);
  siteBed = await startSiteBed();
  const { inventory } = siteBed;
  const { bed, home } = siteBed.cluster;
  progress(`bed up: bastion and ${SERVERS.join(', ')}, the registry, the chart repository; inventory ${inventory}`);

  const site = (extra: string[] = []): ToolCommand => ({
    tool: 'ploy',
    argv: [process.execPath, ployLauncher(root), 'playbooks/site.ts', '-i', inventory, ...extra],
    cwd: root,
    env: { PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin', HOME: home, LANG: 'C.UTF-8', NO_COLOR: '1', TERM: 'dumb' },
  });
  const converge = await runTool(site(), join(workDir, 'converge.log'));
  if (converge.exitCode !== 0) throw new PloyError(`bench:cluster: the unmeasured converge failed; see ${converge.logPath}`);
  progress(`converged in ${(converge.wallMs / 1000).toFixed(1)} s (not timed); bin/ploy's cache is warm`);
  const verbose = await runTool(site(['-v']), join(workDir, 'round-trips.log'));
  expectNoChange(verbose, 'the -v run');

  const vars = { k3s_registry_url: `http://${siteBed.registry.address}`, nginx_demo_host: SITE_DEMO_HOST };
  const FLOOR_COMMANDS = siteFloorCommands({ servers: SERVERS.filter((name) => name !== 'server3'), builder: 'server3', vars, acmeEmail: SITE_SECRETS.acmeEmail });
  const jump: FloorTarget = { name: 'bastion', address: bed.host('bastion').ip, port: 22, user: 'deploy' };
  const targets: FloorTarget[] = SERVERS.map((name) => ({ name, address: bed.host(name).ip, port: 22, user: 'deploy' }));
  const pairs: ClusterPair[] = [];
  for (let pair = 0; pair <= flags.pairs; pair++) {
    const ployFirst = pair % 2 === 1;
    const load = loadavg();
    let ployMs = 0;
    let floorMs = 0;
    for (const which of ployFirst ? ['ploy', 'floor'] : ['floor', 'ploy']) {
      if (which === 'floor') {
        const floor = await measureJumpFloor(jump, targets, bed.keyPath, bed.knownHostsPath, FLOOR_COMMANDS);
        for (const server of SERVERS)
          if (!floor.outputs[server]?.includes('nerdctl version')) throw new PloyError(`bench:cluster: the floor's command on ${server} did not read nerdctl's version:\n${floor.outputs[server]}`);
        if (!floor.outputs.bastion?.includes('Certificate')) throw new PloyError(`bench:cluster: the floor's command on the bastion did not read the demo's Certificate:\n${floor.outputs.bastion}`);
        floorMs = floor.wallMs;
      } else {
        const run = await runTool(site(), join(workDir, `no-change-${pair}.log`));
        expectNoChange(run, `no-change run ${pair}`);
        ployMs = run.wallMs;
      }
    }
    pairs.push({ pair, warmup: pair === 0, floorMs, ployMs, ployFirst, load });
    progress(`pair ${pair}${pair === 0 ? ' (warm-up)' : ''}: floor ${floorMs.toFixed(0)} ms, ploy ${ployMs.toFixed(0)} ms, ratio ${(ployMs / floorMs).toFixed(2)}`);
  }

  const measured = pairs.filter((p) => !p.warmup);
  const ratio = spread(measured.map((p) => p.ployMs / p.floorMs));
  const ploy = spread(measured.map((p) => p.ployMs));
  const floor = spread(measured.map((p) => p.floorMs));
  const roundTrips = roundTripsPerHost(readFileSync(verbose.logPath, 'utf8'));
  const command = `npm run bench:cluster -- ${argv.join(' ')}`.trim();
  const seconds = (s: { median: number; min: number; max: number }) => `${(s.median / 1000).toFixed(2)} (${(s.min / 1000).toFixed(2)}–${(s.max / 1000).toFixed(2)})`;
  const verdict = ratio.median <= flags.limit ? 'met' : 'NOT MET';
  const lines = [
    '',
    `${command}   (${new Date().toISOString().slice(0, 10)}, ${machine.cores} cores ${machine.cpuModel}, ploy ${machine.ployCommit})`,
    `playbooks/site.ts (every role), no change, on bastion + ${SERVERS.join(', ')} (servers through the bastion); ${measured.length} pairs after one warm-up`,
    '',
    '| ploy s | floor s | ploy/floor (pair by pair) | ploy peak RSS |',
    '| --- | --- | --- | --- |',
    `| ${seconds(ploy)} | ${seconds(floor)} | ${ratio.median.toFixed(2)}x (${ratio.min.toFixed(2)}–${ratio.max.toFixed(2)}) | ${Math.round(verbose.peakRssKb / 1024)} MB |`,
    '',
    `round trips per host of a no-change run (-v): ${Object.entries(roundTrips)
      .map(([host, n]) => `${host} ${n}`)
      .join(', ')}`,
    `target: within ${flags.limit}x of the floor: ${verdict} (${ratio.median.toFixed(2)}x)`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  const resultsPath = resolve(flags.results ?? join(root, 'bench', 'results', 'cluster-no-change.json'));
  mkdirSync(dirname(resultsPath), { recursive: true });
  writeFileSync(
    resultsPath,
    `${JSON.stringify({ command, date: new Date().toISOString(), roles: 'all', hosts: HOSTS, floor: 'one command per host: bench/lib/site-floor.ts', machine, pairs, summary: { ploy, floor, ratio, roundTrips, limit: flags.limit, met: ratio.median <= flags.limit } }, null, 2)}\n`,
  );
  progress(`results written to ${relative(process.cwd(), resultsPath)}`);
  if (ratio.median > flags.limit) throw new PloyError(`ploy/floor is ${ratio.median.toFixed(2)}x, above ${flags.limit}x`);
  succeeded = true;
} catch (error) {
  process.stderr.write(`bench:cluster: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
} finally {
  stopRunningTools();
  await siteBed?.stop();
  if (succeeded && !flags.keep) rmSync(workDir, { recursive: true, force: true });
  else progress(`work directory kept: ${workDir}`);
}

function expectNoChange(run: ToolRun, what: string): void {
  if (run.exitCode !== 0) throw new PloyError(`bench:cluster: ${what} exited ${run.exitCode}; see ${run.logPath}`);
  const hosts = Object.keys(run.recap).sort();
  if (hosts.join(' ') !== [...HOSTS].sort().join(' ') || total(run.recap, 'changed') !== 0)
    throw new PloyError(`bench:cluster: ${what} was not a no-change run on ${HOSTS.join(', ')}; see ${run.logPath}`);
}
