/**
 * The CLI end to end: a real process running test/fixtures/cli/playbook.ts against hosts that are
 * the controller itself (ansible_connection: local), with the real inventory loader and runner.
 */
import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

const ROOT = resolve(import.meta.dirname, '../..');
const FIXTURE = join(ROOT, 'test/fixtures/cli');
const PLAYBOOK = join(FIXTURE, 'playbook.ts');
const INVENTORY = join(FIXTURE, 'hosts.yml');
const ENV = { ...process.env, NO_COLOR: '1' };
const dirs: string[] = [];

function scratch(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ploy-cli-'));
  dirs.push(dir);
  return dir;
}

function ploy(args: string[]): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, ['--import', 'tsx', PLAYBOOK, ...args], { cwd: ROOT, encoding: 'utf8', env: ENV, timeout: 60_000 });
}

interface Doc {
  play: string;
  check: boolean;
  stats: Record<string, { ok: number; changed: number; failed: number }>;
  roles: { name: string; tasks: { name: string; hosts: Record<string, { status: string }> }[] }[];
  interrupted: boolean;
}

test('--help lists the flags and exits 0', () => {
  const run = ploy(['--help']);
  assert.is(run.status, 0, run.stderr);
  assert.match(run.stdout, /^Usage: tsx test\/fixtures\/cli\/playbook\.ts \[flags\]/);
  assert.match(run.stdout, /Runs the play "cli-fixture"/);
  assert.match(run.stdout, /-f, --forks N +.*\(default: 10\)/);
  assert.is(run.stderr, '');
});

test('--list-hosts prints each role with its hosts after --limit, and exits 0', () => {
  const all = ploy(['-i', INVENTORY, '--list-hosts']);
  assert.is(all.status, 0, all.stderr);
  assert.is(all.stdout, 'playbook: cli-fixture\n\n  role #1 (local): markers\n    hosts (2):\n      local1\n      local2\n');
  const limited = ploy(['-i', INVENTORY, '--list-hosts', '-l', 'local2']);
  assert.match(limited.stdout, /hosts \(1\):\n {6}local2\n$/);
});

test('a run changes what is missing, exits 0, and a second run changes nothing', () => {
  const dir = scratch();
  const first = ploy(['-i', INVENTORY, '-e', `dir=${dir}`]);
  assert.is(first.status, 0, first.stderr + first.stdout);
  assert.ok(existsSync(join(dir, 'local1.marker')) && existsSync(join(dir, 'local2.marker')));
  assert.match(first.stdout, /^changed: \[local1\] Create marker$/m);
  assert.match(first.stdout, /^local1 : ok=1 changed=1 unreachable=0 failed=0 skipped=0  \(\d+\.\ds\)$/m);
  assert.not.match(first.stdout, /\x1b/);
  const second = ploy(['-i', INVENTORY, '-e', `dir=${dir}`, '--json']);
  assert.is(second.status, 0, second.stderr);
  const doc = JSON.parse(second.stdout) as Doc;
  assert.is(doc.play, 'cli-fixture');
  assert.equal(Object.keys(doc.stats), ['local1', 'local2']);
  assert.is(doc.stats.local1?.ok, 1);
  assert.is(doc.stats.local1?.changed, 0);
});

test('--check reports the change and makes none', () => {
  const dir = scratch();
  const run = ploy(['-i', INVENTORY, '-e', `dir=${dir}`, '-C', '--json', '-l', 'local1']);
  assert.is(run.status, 0, run.stderr);
  const doc = JSON.parse(run.stdout) as Doc;
  assert.is(doc.check, true);
  assert.is(doc.roles[0]?.tasks[0]?.hosts.local1?.status, 'changed');
  assert.equal(Object.keys(doc.stats), ['local1']);
  assert.not.ok(existsSync(join(dir, 'local1.marker')));
});

test('a failed host gives exit code 2; the other host still finishes', () => {
  const dir = scratch();
  const run = ploy(['-i', INVENTORY, '-e', `dir=${dir}`, '-e', 'fail_on=local2']);
  assert.is(run.status, 2, run.stderr + run.stdout);
  assert.match(run.stdout, /^failed: \[local2\] .*asked to fail on local2/m);
  assert.match(run.stdout, /^local2 : .*failed=1/m);
  assert.ok(existsSync(join(dir, 'local1.marker')));
});

test('bad flags and bad input exit 1 with ERROR: and no stack trace', () => {
  for (const [args, message] of [
    [['--nope'], /^ERROR: unknown flag --nope/],
    [['-f', '0'], /^ERROR: --forks: expected a whole number of at least 1, got "0"/],
    [['-i', INVENTORY, '-l', 'nosuchhost'], /^ERROR: .*nosuchhost/],
    [['-i', join(FIXTURE, 'missing.yml')], /^ERROR: .*missing\.yml/],
    [['-i', INVENTORY, '-e', '@nowhere.yml'], /^ERROR: .*nowhere\.yml/],
  ] as const) {
    const run = ploy([...args]);
    assert.is(run.status, 1, `${args.join(' ')}: ${run.stderr}`);
    assert.match(run.stderr, message);
    assert.not.match(run.stderr, /^\s+at /m, 'no stack trace below -vvv');
    assert.is(run.stdout, '');
  }
});

test('a broken inventory exits 1 naming file:line:column', () => {
  const run = ploy(['-i', join(FIXTURE, 'bad-hosts.yml'), '--json']);
  assert.is(run.status, 1, run.stderr);
  assert.match(run.stderr, /^ERROR: .*bad-hosts\.yml:\d+:\d+/);
  assert.is(run.stdout, '', 'nothing on stdout in --json mode');
});

test('-vvv adds the stack trace to an error', () => {
  const run = ploy(['-i', join(FIXTURE, 'missing.yml'), '-vvv']);
  assert.is(run.status, 1);
  assert.match(run.stderr, /^\s+at /m);
});

async function waitFor(path: string, ms = 30_000): Promise<void> {
  const until = Date.now() + ms;
  while (!existsSync(path)) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${path}`);
    await new Promise((done) => setTimeout(done, 50));
  }
}

function interruptedRun(dir: string, sleepSeconds: number) {
  const child = spawn(process.execPath, ['--import', 'tsx', PLAYBOOK, '-i', INVENTORY, '-l', 'local1', '-e', `dir=${dir}`, '-e', `sleep_seconds=${sleepSeconds}`], { cwd: ROOT, env: ENV });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  const exited = new Promise<number | null>((done) => child.on('close', (code) => done(code)));
  return { child, exited, output: () => ({ stdout, stderr }) };
}

function killSleeper(dir: string): void {
  const pidFile = join(dir, 'local1.pid');
  if (!existsSync(pidFile)) return;
  try {
    process.kill(Number(readFileSync(pidFile, 'utf8').trim()), 'SIGTERM');
  } catch {
    // already gone
  }
}

test('SIGINT lets the running task finish, starts nothing new, and exits 130', async () => {
  const dir = scratch();
  const run = interruptedRun(dir, 1);
  await waitFor(join(dir, 'local1.started'));
  run.child.kill('SIGINT');
  const code = await run.exited;
  const { stdout, stderr } = run.output();
  assert.is(code, 130, stderr + stdout);
  assert.match(stderr, /SIGINT: letting running tasks finish/);
  assert.match(stdout, /^ok: \[local1\] Pause$/m, 'the running task finished');
  assert.not.ok(existsSync(join(dir, 'local1.marker')), 'no new task started');
  assert.match(stdout, /Interrupted/);
});

test('a second SIGTERM stops at once with 143', async () => {
  const dir = scratch();
  const run = interruptedRun(dir, 30);
  await waitFor(join(dir, 'local1.started'));
  const started = Date.now();
  run.child.kill('SIGTERM');
  await new Promise((done) => setTimeout(done, 200));
  run.child.kill('SIGTERM');
  const code = await run.exited;
  killSleeper(dir);
  assert.is(code, 143, run.output().stderr);
  assert.ok(Date.now() - started < 10_000, 'did not wait for the 30 s task');
  assert.match(run.output().stderr, /SIGTERM again: stopping now/);
});

test.after(() => {
  for (const dir of dirs) {
    killSleeper(dir);
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
