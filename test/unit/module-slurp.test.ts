/**
 * slurp through the real runner on local hosts: nothing the reporters print (-vvv and --json)
 * and no command event carries a secret file's content, not even as base64; the role gets a
 * Secret, and later output is masked.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { command } from '../../lib/modules/command.ts';
import { slurp, type SlurpData } from '../../lib/modules/slurp.ts';
import type { TaskResult } from '../../lib/result.ts';
import { defineRole } from '../../lib/role.ts';
import { createReporter } from '../../lib/report/create.ts';
import type { Reporter } from '../../lib/runner/events.ts';
import { runPlay } from '../../lib/runner/run-play.ts';
import { isSecret } from '../../lib/secret.ts';
import { CountingPool, localInventory, RecordingReporter, runOptions } from './runner-support.ts';

const TOKEN = 'K10slurp-token-7f3a9c::server:5e1d';
let dir = '';
test.before.each(() => {
  dir = mkdtempSync(join(tmpdir(), 'ploy-slurp-'));
  writeFileSync(join(dir, 'token'), `${TOKEN}\n`);
  writeFileSync(join(dir, 'plain'), 'hello\n');
});
test.after.each(() => rmSync(dir, { recursive: true, force: true }));

test('a secret slurp: its output is hidden in the command event, the role gets a Secret, later echoes are masked', async () => {
  const seen: Array<TaskResult<SlurpData>> = [];
  const role = defineRole({
    name: 'token',
    hosts: 'all',
    defaults: {},
    async run(t) {
      const r = await t.run('read token', slurp, { src: join(dir, 'token'), secret: true });
      seen.push(r);
      const plain = await t.run('read plain', slurp, { src: join(dir, 'plain') });
      seen.push(plain);
      await t.run('echo it', command, { cmd: `cat ${join(dir, 'token')}` });
    },
  });
  const recording = new RecordingReporter();
  let printed = '';
  const out = { write: (text: string) => (printed += text), isTTY: false };
  const human = createReporter({ json: false, verbosity: 3, diff: true, out, err: out, env: {} });
  const json = createReporter({ json: true, verbosity: 0, diff: true, out, err: out });
  const reporter: Reporter = {
    emit: (event) => [recording, human, json].forEach((r) => r.emit(event)),
    close: async () => {
      for (const r of [human, json]) await r.close();
    },
  };
  const pool = new CountingPool();
  for (const check of [false, true]) {
    const summary = await runPlay({ name: 'p', roles: [role] }, runOptions(localInventory({ h1: {} }), pool, { check, diff: true }), reporter);
    assert.is(summary.exitCode, 0);
  }
  await reporter.close();
  // The preflight pass runs role code too, with unknown data: keep the real results.
  const real = seen.filter((r) => typeof r.data.sha256 === 'string');
  assert.is(real.length, 4);
  const token = real[0]?.data.content;
  assert.ok(isSecret(token));
  assert.is(isSecret(token) ? token.reveal() : '', `${TOKEN}\n`);
  assert.is(real[1]?.data.content, 'hello\n');
  assert.is(real[2]?.data.content !== undefined && isSecret(real[2].data.content), true, 'check mode reads too: slurp is a read');
  assert.match(printed, 'read token', 'the reporters printed the run');
  const everything = printed + JSON.stringify(recording.of('command'));
  for (const leak of [TOKEN, Buffer.from(`${TOKEN}\n`).toString('base64'), Buffer.from(TOKEN).toString('base64').slice(0, 20)]) {
    const at = everything.indexOf(leak);
    assert.not.ok(at >= 0, `an event holds ${leak}: ${everything.slice(Math.max(0, at - 300), at + 100)}`);
  }
  const commands = recording.of('command').filter((e) => e.host === 'h1');
  assert.ok(commands.some((e) => e.stdout === '(secret output hidden)'));
  assert.ok(
    commands.some((e) => e.stdout.includes(Buffer.from('hello\n').toString('base64'))),
    'a plain slurp is echoed as usual',
  );
  assert.ok(
    commands.some((e) => e.stdout.includes('***')),
    "the later command's output is masked",
  );
});

test.run();
