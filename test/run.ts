/**
 * Runs the uvu suites (unit first, then integration against the real-host test bed) and ends with
 * one line "N passed, N failed, N skipped". Usage: tsx test/run.ts [unit|integration] [file-pattern]
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'uvu/parse';
import { reachedSummary, resultsByFile, silentlyUnrun } from './support/uvu-results.ts';

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
  const stdout = run.stdout ?? '';
  process.stdout.write(stdout);
  if (stdout !== '' && !stdout.endsWith('\n')) process.stdout.write('\n'); // uvu stopped mid-line
  await reportUnexplained(dir, stdout);
  // uvu's Total counts the tests it meant to run; skipped ones are not among them.
  const total = Number(/Total:\s+(\d+)/.exec(stdout)?.[1] ?? 0);
  const ok = Number(/Passed:\s+(\d+)/.exec(stdout)?.[1] ?? 0);
  const skip = Number(/Skipped:\s+(\d+)/.exec(stdout)?.[1] ?? 0);
  passed += ok;
  skipped += skip;
  failed += Math.max(0, total - ok);
  if (run.status !== 0) {
    exitCode = 1;
    if (total === ok) failed += 1; // a suite that crashed before counting
  }
}

/** Names the files whose tests uvu left unrun without a word: it drops errors thrown by hooks outside a test. */
async function reportUnexplained(dir: string, stdout: string): Promise<void> {
  const { suites: files } = await parse(dir, pattern);
  const results = resultsByFile(
    stdout,
    files.map((file) => file.name),
  );
  for (const result of results.filter((r) => silentlyUnrun(r) > 0)) {
    console.log(
      `!! ${join(dir, result.file)}: ${silentlyUnrun(result)} of ${result.planned} tests did not run and uvu printed no failure for them; ` +
        'a test.before or test.after.each hook probably threw (uvu 0.5.6 drops that error; a set-up registered with beforeAll from test/support/before-all.ts shows it)',
    );
  }
  if (reachedSummary(stdout)) return;
  const unfinished = results.filter((r) => !r.reported).map((r) => join(dir, r.file));
  if (unfinished.length > 0) console.log(`!! uvu stopped before its summary; files without results: ${unfinished.join(', ')}`);
}

console.log(`\n${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(exitCode || (failed > 0 ? 1 : 0));
