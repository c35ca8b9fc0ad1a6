import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { areaOf, summarizeProfile, type CpuProfile } from '../../bench/lib/cpu-profile.ts';

test('a real node --cpu-prof profile: the busy function leads, areas add up to the samples', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bench-prof-'));
  try {
    const script = 'function spinForAWhile(){ const end = Date.now() + 300; let x = 0; while (Date.now() < end) x += Math.sqrt(x + 1); return x } spinForAWhile(); setTimeout(() => {}, 200)';
    const run = spawnSync(process.execPath, ['--cpu-prof', `--cpu-prof-dir=${dir}`, '-e', script]);
    assert.is(run.status, 0);
    const [file] = readdirSync(dir);
    const profile = JSON.parse(readFileSync(join(dir, file as string), 'utf8')) as CpuProfile;
    const summary = summarizeProfile(profile, 5);
    assert.is(summary.topFunctions[0]?.name, 'spinForAWhile');
    assert.ok((summary.topFunctions[0]?.ms ?? 0) > 150, `spun ${summary.topFunctions[0]?.ms} ms`);
    const idle = summary.byArea.find((a) => a.area.startsWith('idle'));
    assert.ok(idle && idle.ms > 100, 'the 200 ms timer shows as idle');
    const sampled = summary.byArea.reduce((sum, a) => sum + a.ms, 0);
    assert.ok(sampled <= summary.totalMs + 1 && sampled > summary.totalMs * 0.8, `${sampled} of ${summary.totalMs} ms`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('frames are put in the area their script belongs to', () => {
  assert.is(areaOf('(idle)', ''), 'idle (waiting for I/O)');
  assert.is(areaOf('(garbage collector)', ''), 'garbage collection');
  assert.is(areaOf('transform', 'file:///r/node_modules/esbuild/lib/main.js'), 'tsx / esbuild (loading TypeScript)');
  assert.is(areaOf('parse', 'file:///r/node_modules/ssh2/lib/protocol/Protocol.js'), 'ssh2');
  assert.is(areaOf('compile', 'file:///r/node_modules/@smithy/core/x.js'), 'node_modules/@smithy/core');
  assert.is(areaOf('readFile', 'node:fs'), 'node internals');
  assert.is(areaOf('plan', 'file:///work/main/lib/modules/file.ts'), 'ploy lib/');
  assert.is(areaOf('run', 'file:///work/main/bench/play/bench-role.ts'), 'bench play');
});

test.run();
