/**
 * Runs the uvu suites (unit first, then integration against the real-host test bed) and ends with
 * one line "N passed, N failed, N skipped". Usage: tsx test/run.ts [unit|integration] [file-pattern]
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const suites = process.argv[2] ? [process.argv[2]] : ['unit', 'integration'];
const pattern = process.argv[3] ?? '\\.test\\.ts$';
let passed = 0;
let failed = 0;
let skipped = 0;
let exitCode = 0;

for (const suite of suites) {
  const dir = `test/${suite}`;
  if (!existsSync(dir)) continue;
  console.log(`\n== ${suite} tests ==`);
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'node_modules/uvu/bin.js', dir, pattern], {
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
    maxBuffer: 256 * 1024 * 1024,
  });
  process.stdout.write(run.stdout ?? '');
  const total = Number(/Total:\s+(\d+)/.exec(run.stdout ?? '')?.[1] ?? 0);
  const ok = Number(/Passed:\s+(\d+)/.exec(run.stdout ?? '')?.[1] ?? 0);
  const skip = Number(/Skipped:\s+(\d+)/.exec(run.stdout ?? '')?.[1] ?? 0);
  passed += ok;
  skipped += skip;
  failed += Math.max(0, total - ok - skip);
  if (run.status !== 0) {
    exitCode = 1;
    if (total === ok + skip) failed += 1; // a suite that crashed before counting
  }
}

console.log(`\n${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(exitCode || (failed > 0 ? 1 : 0));
