/**
 * `npm run demo`: the main job on the local test bed, where AWS is absent. Boots a bastion and three
 * servers that only the bastion reaches (the cluster's topology), runs the example play through the
 * real CLI (bin/ploy) three times — converge, no-change re-run, check mode — and removes the test bed.
 * Exits non-zero if any run does not end as it should.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startTestbed } from '../test/testbed/bed.ts';

interface Stats { ok: number; changed: number; unreachable: number; failed: number; skipped: number }

const play = fileURLToPath(new URL('./hello/play.ts', import.meta.url));
const ploy = fileURLToPath(new URL('../bin/ploy', import.meta.url));

function runPlay(args: string[]): Promise<{ code: number; stats: Record<string, Stats> }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [ploy, play, ...args, '--json'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      try {
        resolve({ code: code ?? -1, stats: (JSON.parse(out) as { stats: Record<string, Stats> }).stats });
      } catch {
        reject(new Error(`the play printed no JSON document (exit ${code}):\n${out}`));
      }
    });
  });
}

function line(stats: Record<string, Stats>): string {
  return Object.entries(stats)
    .map(([host, s]) => `${host}: ok=${s.ok} changed=${s.changed} failed=${s.failed} unreachable=${s.unreachable} skipped=${s.skipped}`)
    .join('\n  ');
}

const bed = await startTestbed({
  hosts: [{ name: 'bastion' }, { name: 'server1', network: 'private' }, { name: 'server2', network: 'private' }, { name: 'server3', network: 'private' }],
  bastion: 'bastion',
});
let failures = 0;
try {
  const steps: Array<[string, string[], (s: Stats) => boolean]> = [
    ['converge', [], (s) => s.changed > 0],
    ['no-change re-run', [], (s) => s.changed === 0],
    ['check mode', ['--check'], (s) => s.changed === 0],
  ];
  for (const [label, extra, expected] of steps) {
    const started = Date.now();
    const { code, stats } = await runPlay(['-i', bed.inventoryPath, ...extra]);
    const good = code === 0 && Object.keys(stats).length === bed.hosts.length && Object.values(stats).every(expected);
    if (!good) failures++;
    console.log(`${good ? 'ok  ' : 'FAIL'} ${label} (exit ${code}, ${Date.now() - started} ms)\n  ${line(stats)}`);
  }
} finally {
  await bed.stop();
}
process.exit(failures === 0 ? 0 : 1);
