import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { rejects } from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalConnection } from '../../lib/connection/local.ts';
import { CommandError, ModuleArgsError } from '../../lib/errors.ts';
import { command } from '../../lib/modules/command.ts';
import { shell } from '../../lib/modules/shell.ts';
import { secret } from '../../lib/secret.ts';
import { executeTask } from '../../lib/task/execute.ts';
import { moduleContext, recordingConnection } from '../support/module-context.ts';

let dir = '';
test.before.each(() => {
  dir = mkdtempSync(join(tmpdir(), 'ploy-cmd-'));
});
test.after.each(() => rmSync(dir, { recursive: true, force: true }));

const converge = { task: 't', check: false };
const check = { task: 't', check: true };

test('command runs an argv without a shell; stdout loses only its trailing newlines', async () => {
  const conn = new LocalConnection();
  const result = await executeTask(moduleContext(conn), command, { cmd: `printf '%s\\n\\n' 'a|b $HOME' "  x  "` }, converge);
  assert.is(result.status, 'changed');
  assert.equal(result.data, { stdout: 'a|b $HOME\n\n  x  ', stderr: '', rc: 0 });
  const listed = await executeTask(moduleContext(conn), command, { cmd: ['ls', '-d', dir] }, converge);
  assert.is(listed.data.stdout, dir);
});

test('a non-zero exit fails with rc and stderr; failedWhen and changedWhen decide instead', async () => {
  const ctx = moduleContext(new LocalConnection());
  try {
    await executeTask(ctx, shell, { cmd: 'echo oops >&2; exit 3' }, converge);
    assert.unreachable('exit 3 succeeded');
  } catch (error) {
    assert.instance(error, CommandError);
    assert.is((error as CommandError).result.code, 3);
    assert.match((error as Error).message, /command failed \(rc=3\): echo oops >&2; exit 3\noops/);
  }
  const tolerated = await executeTask(ctx, shell, { cmd: 'exit 1', failedWhen: (r) => r.rc > 1, changedWhen: () => false }, converge);
  assert.equal([tolerated.status, tolerated.data.rc], ['ok', 1]);
  await rejects(() => executeTask(ctx, shell, { cmd: 'echo ERROR', failedWhen: (r) => r.stdout.includes('ERROR') }, converge), /failed by failedWhen \(rc=0\)/);
});

test('shell runs a /bin/sh script: pipes, variables and redirections work', async () => {
  const ctx = moduleContext(new LocalConnection());
  const result = await executeTask(ctx, shell, { cmd: `X=world; echo "hello $X" | tr a-z A-Z > ${join(dir, 'out')}; cat ${join(dir, 'out')}` }, converge);
  assert.is(result.data.stdout, 'HELLO WORLD');
});

test('creates/removes/unless: one probe; skip is ok, otherwise the command runs', async () => {
  const conn = new LocalConnection();
  const ctx = moduleContext(conn);
  const marker = join(dir, 'marker');
  const args = { cmd: `touch ${marker}`, creates: marker };
  const first = await executeTask(ctx, shell, args, converge);
  assert.is(first.status, 'changed');
  assert.ok(existsSync(marker));
  const before = conn.channelsOpened;
  const second = await executeTask(ctx, shell, args, converge);
  assert.is(second.status, 'ok');
  assert.is(conn.channelsOpened - before, 1, 'the guard probe is the only round trip');
  assert.is((await executeTask(ctx, shell, { cmd: 'exit 9', removes: join(dir, 'gone') }, converge)).status, 'ok');
  assert.is((await executeTask(ctx, shell, { cmd: 'exit 9', unless: `test -e ${marker}` }, converge)).status, 'ok');
  const ran = await executeTask(ctx, shell, { cmd: 'echo ran', unless: 'false', removes: marker }, converge);
  assert.equal([ran.status, ran.data.stdout], ['changed', 'ran']);
});

test('check mode: a guarded command is predicted without running; a bare one is skipped without touching the host', async () => {
  const conn = new LocalConnection();
  const ctx = moduleContext(conn);
  const marker = join(dir, 'marker');
  const guarded = await executeTask(ctx, shell, { cmd: `touch ${marker}`, creates: marker }, check);
  assert.equal([guarded.status, guarded.changes], ['changed', [`run touch ${marker}`]]);
  assert.not.ok(existsSync(marker), 'nothing ran in check mode');
  const before = conn.channelsOpened;
  const bare = await executeTask(ctx, shell, { cmd: `touch ${marker}` }, check);
  assert.equal([bare.status, bare.msg], ['skipped', 'cannot predict the outcome in check mode']);
  assert.is(conn.channelsOpened, before, 'no channel for an unpredictable command in check mode');
  assert.not.ok(existsSync(marker));
});

test('readOnly: runs in check mode too and always reports ok', async () => {
  const ctx = moduleContext(new LocalConnection());
  writeFileSync(join(dir, 'version'), 'v1.2.3\n');
  for (const options of [check, converge]) {
    const result = await executeTask(ctx, command, { cmd: ['cat', join(dir, 'version')], readOnly: true }, options);
    assert.equal([result.status, result.data.stdout], ['ok', 'v1.2.3']);
  }
  await rejects(() => executeTask(ctx, command, { cmd: ['cat', join(dir, 'nope')], readOnly: true }, check), CommandError);
});

test('secret env and stdin reach the command but never a command line', async () => {
  const conn = recordingConnection(new LocalConnection());
  const ctx = moduleContext(conn);
  const token = secret('tok-s3cr3t-value');
  const password = secret('pw-stdin-value');
  const out = join(dir, 'out');
  const result = await executeTask(
    ctx,
    shell,
    { cmd: `printf '%s|%s|' "$TOKEN" "$PLAIN" > ${out}; cat >> ${out}`, env: { TOKEN: token, PLAIN: 'visible' }, stdin: password, creates: join(dir, 'never') },
    converge,
  );
  assert.is(result.status, 'changed');
  assert.is(readFileSync(out, 'utf8'), 'tok-s3cr3t-value|visible|pw-stdin-value');
  assert.is(conn.sent.length, 2, 'guard probe and run');
  for (const { command: line } of conn.sent) {
    assert.not.match(line, 'tok-s3cr3t-value');
    assert.not.match(line, 'pw-stdin-value');
  }
});

test('cwd and timeoutMs', async () => {
  const ctx = moduleContext(new LocalConnection());
  assert.is((await executeTask(ctx, command, { cmd: 'pwd', cwd: dir }, converge)).data.stdout, dir);
  const started = Date.now();
  await rejects(() => executeTask(ctx, command, { cmd: ['sleep', '5'], timeoutMs: 300 }, converge), /killed or timed out/);
  assert.ok(Date.now() - started < 4000);
});

test('bad arguments fail in validate, before any channel is opened', async () => {
  const conn = new LocalConnection();
  await rejects(() => executeTask(moduleContext(conn), command, { cmd: 'echo "unclosed' }, converge), ModuleArgsError);
  await rejects(() => executeTask(moduleContext(conn), shell, { cmd: 'x', creates: 'rel/path' }, converge), /field "creates"/);
  assert.is(conn.channelsOpened, 0);
});

test.run();
