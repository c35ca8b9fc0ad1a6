/**
 * The probe batch script, run by the real /bin/sh and bash: each command's stdout, stderr and exit
 * status come back exactly as when the command runs alone.
 */
import { spawnSync } from 'node:child_process';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ExecResult } from '../../lib/connection/connection.ts';
import { probeBatchScript } from '../../lib/runner/probe-batch-script.ts';
import { batchedProbe } from '../../lib/runner/probe-batcher.ts';

function run(shell: string, script: string): ExecResult {
  const result = spawnSync(shell, ['-c', script], { encoding: 'utf8', input: 'stdin that no probe may read\n' });
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr, timedOut: false };
}

const COMMANDS = [
  'echo one; echo two >&2',
  "printf 'no newline at the end'",
  'printf "trailing newlines\\n\\n\\n"; printf "err\\n\\n" >&2',
  'exit 3',
  'echo before; exit 7; echo never',
  'cat; echo "read: $?"',
  '',
  '# only a comment',
  "cat <<'EOF'\nheredoc $HOME\nEOF",
  'set -e; false; echo not reached',
  'printf "ploy-probe-but-not-the-marker 0\\n"',
  'printf "caf\\303\\251 \\342\\234\\223\\n"',
];

for (const shell of ['/bin/sh', '/bin/bash']) {
  test(`${shell}: every command gets back what it gets alone`, () => {
    const batch = probeBatchScript(COMMANDS);
    const answers = batch.split(run(shell, batch.script));
    assert.ok(answers, 'the output splits');
    for (const [index, command] of COMMANDS.entries()) {
      const alone = spawnSync(shell, ['-c', command], { encoding: 'utf8', input: '' });
      assert.equal(answers[index], { code: alone.status ?? -1, stdout: alone.stdout, stderr: alone.stderr, timedOut: false }, `command ${index}: ${command}`);
    }
  });
}

/** Probes with a (non-secret) stdin: a manifest for kubectl diff, text without a final newline, quotes, a script of several lines. */
const WITH_STDIN: Array<[string, string]> = [
  ['cat', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: it\'s "quoted" $HOME `x`\n'],
  ['wc -c; cat', 'no final newline'],
  ['l0=$(echo listing)\necho "$l0"\ncat -n', 'line 1\nline 2\n'],
];

for (const shell of ['/bin/sh', '/bin/bash']) {
  test(`${shell}: a probe's stdin travels inside the batch, and it gets back what it gets alone with that stdin`, () => {
    const batch = probeBatchScript(['echo first', ...WITH_STDIN.map(([command, stdin]) => batchedProbe(command, { probe: true, stdin }))]);
    const answers = batch.split(run(shell, batch.script));
    assert.ok(answers, 'the output splits');
    for (const [index, [command, stdin]] of WITH_STDIN.entries()) {
      const alone = spawnSync(shell, ['-c', command], { encoding: 'utf8', input: stdin });
      assert.equal(answers[index + 1], { code: alone.status ?? -1, stdout: alone.stdout, stderr: alone.stderr, timedOut: false }, command);
    }
  });
}

test('a killed or truncated batch does not split: its callers send their probe alone', () => {
  const batch = probeBatchScript(['echo a', 'sleep 1; echo b']);
  const killed = spawnSync('/bin/sh', ['-c', batch.script], { encoding: 'utf8', timeout: 300 });
  assert.is(batch.split({ code: -1, stdout: killed.stdout, stderr: killed.stderr, timedOut: true }), undefined);
  const full = run('/bin/sh', probeBatchScript(['echo a']).script);
  assert.is(batch.split(full), undefined, 'output of another batch (another marker) is refused');
  const whole = run('/bin/sh', batch.script);
  assert.is(batch.split({ ...whole, stdout: whole.stdout.slice(0, -3) }), undefined, 'a cut stdout is refused');
  assert.is(batch.split({ ...whole, stderr: '' }), undefined, 'a missing stderr frame is refused');
});

test('the markers differ from batch to batch', () => {
  const a = probeBatchScript(['true']).script;
  const b = probeBatchScript(['true']).script;
  assert.is.not(a, b);
});

test.run();
