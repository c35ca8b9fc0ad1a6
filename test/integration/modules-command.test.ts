import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { rejects } from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CommandError, ModuleArgsError } from '../../lib/errors.ts';
import { command } from '../../lib/modules/command.ts';
import { shell } from '../../lib/modules/shell.ts';
import { secret } from '../../lib/secret.ts';
import { localModuleHost, type ModuleHost } from '../support/module-host.ts';

let dir = '';
let h: ModuleHost;
test.before.each(() => {
  dir = mkdtempSync(join(tmpdir(), 'ploy-cmd-'));
  h = localModuleHost();
});
test.after.each(() => rmSync(dir, { recursive: true, force: true }));

test('command runs an argv without a shell; stdout loses only its trailing newlines', async () => {
  const result = await h.run(command, { cmd: `printf '%s\\n\\n' 'a|b $HOME' "  x  "` });
  assert.is(result.status, 'changed');
  assert.equal(result.data, { stdout: 'a|b $HOME\n\n  x  ', stderr: '', rc: 0 });
  const listed = await h.run(command, { cmd: ['ls', '-d', dir] });
  assert.is(listed.data.stdout, dir);
});

test('a non-zero exit fails with rc and stderr; failedWhen and changedWhen decide instead', async () => {
  try {
    await h.run(shell, { cmd: 'echo oops >&2; exit 3' });
    assert.unreachable('exit 3 succeeded');
  } catch (error) {
    assert.instance(error, CommandError);
    assert.is((error as CommandError).result.code, 3);
    assert.match((error as Error).message, /command failed \(rc=3\): echo oops >&2; exit 3\noops/);
  }
  const tolerated = await h.run(shell, { cmd: 'exit 1', failedWhen: (r) => r.rc > 1, changedWhen: () => false });
  assert.equal([tolerated.status, tolerated.data.rc], ['ok', 1]);
  await rejects(() => h.run(shell, { cmd: 'echo ERROR', failedWhen: (r) => r.stdout.includes('ERROR') }), /failed by failedWhen \(rc=0\)/);
});

test('shell runs a /bin/sh script: pipes, variables and redirections work', async () => {
  const result = await h.run(shell, { cmd: `X=world; echo "hello $X" | tr a-z A-Z > ${join(dir, 'out')}; cat ${join(dir, 'out')}` });
  assert.is(result.data.stdout, 'HELLO WORLD');
});

test('creates/removes/unless: one probe; skip is ok, otherwise the command runs', async () => {
  const marker = join(dir, 'marker');
  const args = { cmd: `touch ${marker}`, creates: marker };
  const first = await h.run(shell, args);
  assert.is(first.status, 'changed');
  assert.ok(existsSync(marker));
  const before = h.connection.channelsOpened;
  const second = await h.run(shell, args);
  assert.is(second.status, 'ok');
  assert.is(h.connection.channelsOpened - before, 1, 'the guard probe is the only round trip');
  assert.is((await h.run(shell, { cmd: 'exit 9', removes: join(dir, 'gone') })).status, 'ok');
  assert.is((await h.run(shell, { cmd: 'exit 9', unless: `test -e ${marker}` })).status, 'ok');
  const ran = await h.run(shell, { cmd: 'echo ran', unless: 'false', removes: marker });
  assert.equal([ran.status, ran.data.stdout], ['changed', 'ran']);
});

test('check mode: a guarded command is predicted without running; a bare one is skipped without touching the host', async () => {
  const marker = join(dir, 'marker');
  const guarded = await h.run(shell, { cmd: `touch ${marker}`, creates: marker }, { check: true });
  assert.equal([guarded.status, guarded.changes], ['changed', [`run touch ${marker}`]]);
  assert.not.ok(existsSync(marker), 'nothing ran in check mode');
  const before = h.connection.channelsOpened;
  const bare = await h.run(shell, { cmd: `touch ${marker}` }, { check: true });
  assert.equal([bare.status, bare.msg], ['skipped', 'cannot predict the outcome in check mode']);
  assert.is(h.connection.channelsOpened, before, 'no channel for an unpredictable command in check mode');
  assert.not.ok(existsSync(marker));
});

test('readOnly: runs in check mode too and always reports ok', async () => {
  writeFileSync(join(dir, 'version'), 'v1.2.3\n');
  for (const check of [true, false]) {
    const result = await h.run(command, { cmd: ['cat', join(dir, 'version')], readOnly: true }, { check });
    assert.equal([result.status, result.data.stdout], ['ok', 'v1.2.3']);
  }
  await rejects(() => h.run(command, { cmd: ['cat', join(dir, 'nope')], readOnly: true }, { check: true }), CommandError);
});

test('secret env and stdin reach the command but never a command line', async () => {
  const token = secret('tok-s3cr3t-value');
  const password = secret('pw-stdin-value');
  const out = join(dir, 'out');
  const result = await h.run(shell, {
    cmd: `printf '%s|%s|' "$TOKEN" "$PLAIN" > ${out}; cat >> ${out}`,
    env: { TOKEN: token, PLAIN: 'visible' },
    stdin: password,
    creates: join(dir, 'never'),
  });
  assert.is(result.status, 'changed');
  assert.is(readFileSync(out, 'utf8'), 'tok-s3cr3t-value|visible|pw-stdin-value');
  assert.is(h.sent.length, 2, 'guard probe and run');
  for (const { command: line } of h.sent) {
    assert.not.match(line, 'tok-s3cr3t-value');
    assert.not.match(line, 'pw-stdin-value');
  }
});

test('cwd and timeoutMs', async () => {
  assert.is((await h.run(command, { cmd: 'pwd', cwd: dir })).data.stdout, dir);
  const started = Date.now();
  await rejects(() => h.run(command, { cmd: ['sleep', '5'], timeoutMs: 300 }), /command timed out: sleep 5\ntimed out after 300 ms$/);
  assert.ok(Date.now() - started < 4000);
});

test('a command killed by a signal says which, and is not called a timeout', async () => {
  // $PPID: the shell that runs the command line (a login shell on an SSH host) is the process whose end is reported.
  await rejects(() => h.run(command, { cmd: ['/bin/sh', '-c', 'kill -KILL $PPID'] }), /command was killed by SIGKILL: /);
  await rejects(() => h.run(command, { cmd: ['/bin/sh', '-c', 'exit 3'] }), /command failed \(rc=3\): /);
});

test('bad arguments fail in validate, before any channel is opened', async () => {
  await rejects(() => h.run(command, { cmd: 'echo "unclosed' }), ModuleArgsError);
  await rejects(() => h.run(shell, { cmd: 'x', creates: 'rel/path' }), /field "creates"/);
  assert.is(h.connection.channelsOpened, 0);
});

test.run();
