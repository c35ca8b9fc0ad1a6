/**
 * `npm run bench:cluster -- [--pairs 7] [--limit 2]`: a no-change run of playbooks/site.ts on the
 * cluster bed (a bastion and three servers only it reaches, the k3s stand-in, a release mirror)
 * against the SSH floor for the same hosts through the same bastion, interleaved pair by pair.
 * Exits 1 when the median ploy/floor ratio is above --limit; see docs/bench.md.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatHelp } from '../lib/cli/help.ts';
import { PloyError } from '../lib/errors.ts';
import { CLUSTER_SERVERS, roundTripsPerHost, startClusterBed, type ClusterBed } from '../test/support/cluster-bed.ts';
import { clusterBenchFlags, parseClusterBenchFlags } from './lib/cluster-flags.ts';
import type { FloorTarget } from './lib/floor.ts';
import { measureJumpFloor } from './lib/jump-floor.ts';
import { machineInfo } from './lib/machine.ts';
import { total } from './lib/recap.ts';
import { spread } from './lib/stats.ts';
import { stopRunningTools, runTool, type ToolCommand, type ToolRun } from './lib/tool-run.ts';
import { ployLauncher } from './lib/tools.ts';

const NERDCTL_VERSION = '1.7.7';
const SERVERS: readonly string[] = CLUSTER_SERVERS;
/** The roles the bed can serve: the others need a registry, cert-manager's and the demo's stand-ins. */
const ROLES = ['k3s-server'];
/**
 * What a no-change run must learn on each server, read in one command as root: the content of
 * every file the role manages, the links, the unit's state, nerdctl's version and the token.
 */
const FLOOR_COMMAND = [
  'sudo -n sh -c',
  `'sha256sum /usr/local/bin/k3s /etc/rancher/k3s/config.yaml /etc/systemd/system/k3s.service /var/lib/rancher/k3s/server/manifests/traefik-config.yaml /var/lib/rancher/k3s/server/token;`,
  'readlink /usr/local/bin/kubectl /usr/local/bin/crictl /usr/local/bin/ctr; systemctl is-active k3s; systemctl is-enabled k3s;',
  `/usr/local/bin/nerdctl --version; /usr/local/bin/k3s --version; uname -m'`,
].join(' ');

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const flags = parseClusterBenchFlags(argv);
if (flags.help) {
  process.stdout.write(formatHelp('npm run bench:cluster --', clusterBenchFlags, 'Boots the cluster bed and times a no-change site.ts against the SSH floor (run as root).'));
  process.exit(0);
}
const progress = (line: string) => process.stderr.write(`[bench:cluster ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
const workDir = mkdtempSync('/tmp/ploy-bench-cluster-');
let cluster: ClusterBed | undefined;
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
  cluster = await startClusterBed({ nerdctl: [NERDCTL_VERSION], inventory: { name: join(workDir, 'cluster.yml') } });
  const { bed, home, inventory } = cluster;
  progress(`bed up: bastion and ${SERVERS.join(', ')}; inventory ${inventory}`);

  const site = (extra: string[] = []): ToolCommand => ({
    tool: 'ploy',
    argv: [process.execPath, ployLauncher(root), 'playbooks/site.ts', '-i', inventory, ...ROLES.flatMap((role) => ['--role', role]), ...extra],
    cwd: root,
    env: { PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin', HOME: home, LANG: 'C.UTF-8', NO_COLOR: '1', TERM: 'dumb' },
  });
  const converge = await runTool(site(), join(workDir, 'converge.log'));
  if (converge.exitCode !== 0) throw new PloyError(`bench:cluster: the unmeasured converge failed; see ${converge.logPath}`);
  progress(`converged in ${(converge.wallMs / 1000).toFixed(1)} s (not timed); bin/ploy's cache is warm`);
  const verbose = await runTool(site(['-v']), join(workDir, 'round-trips.log'));
  expectNoChange(verbose, 'the -v run');

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
        const floor = await measureJumpFloor(jump, targets, bed.keyPath, bed.knownHostsPath, FLOOR_COMMAND);
        for (const server of SERVERS) if (!floor.outputs[server]?.includes(`nerdctl version ${NERDCTL_VERSION}`)) throw new PloyError(`bench:cluster: the floor's command on ${server} did not read nerdctl's version:\n${floor.outputs[server]}`);
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
    `playbooks/site.ts --role ${ROLES.join(' --role ')}, no change, on bastion + ${SERVERS.join(', ')} (servers through the bastion); ${measured.length} pairs after one warm-up`,
    '',
    '| ploy s | floor s | ploy/floor (pair by pair) | ploy peak RSS |',
    '| --- | --- | --- | --- |',
    `| ${seconds(ploy)} | ${seconds(floor)} | ${ratio.median.toFixed(2)}x (${ratio.min.toFixed(2)}–${ratio.max.toFixed(2)}) | ${Math.round(verbose.peakRssKb / 1024)} MB |`,
    '',
    `round trips per host of a no-change run (-v): ${Object.entries(roundTrips).map(([host, n]) => `${host} ${n}`).join(', ')}`,
    `target: within ${flags.limit}x of the floor: ${verdict} (${ratio.median.toFixed(2)}x)`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  const resultsPath = resolve(flags.results ?? join(root, 'bench', 'results', 'cluster-no-change.json'));
  mkdirSync(dirname(resultsPath), { recursive: true });
  writeFileSync(resultsPath, `${JSON.stringify({ command, date: new Date().toISOString(), roles: ROLES, hosts: ['bastion', ...SERVERS], floorCommand: FLOOR_COMMAND, machine, pairs, summary: { ploy, floor, ratio, roundTrips, limit: flags.limit, met: ratio.median <= flags.limit } }, null, 2)}\n`);
  progress(`results written to ${relative(process.cwd(), resultsPath)}`);
  if (ratio.median > flags.limit) throw new PloyError(`ploy/floor is ${ratio.median.toFixed(2)}x, above ${flags.limit}x`);
  succeeded = true;
} catch (error) {
  process.stderr.write(`bench:cluster: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
} finally {
  stopRunningTools();
  await cluster?.stop();
  if (succeeded && !flags.keep) rmSync(workDir, { recursive: true, force: true });
  else progress(`work directory kept: ${workDir}`);
}

function expectNoChange(run: ToolRun, what: string): void {
  if (run.exitCode !== 0) throw new PloyError(`bench:cluster: ${what} exited ${run.exitCode}; see ${run.logPath}`);
  const hosts = Object.keys(run.recap).sort();
  if (hosts.join(' ') !== SERVERS.join(' ') || total(run.recap, 'changed') !== 0) throw new PloyError(`bench:cluster: ${what} was not a no-change run on ${SERVERS.join(', ')}; see ${run.logPath}`);
}
