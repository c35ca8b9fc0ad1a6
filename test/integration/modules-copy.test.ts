import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { rejects } from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CommandError, InputError, ModuleArgsError, TaskFailedError } from '../../lib/errors.ts';
import { copy, type CopyArgs } from '../../lib/modules/copy.ts';
import { secret } from '../../lib/secret.ts';
import { localModuleHost, type ModuleHost } from '../support/module-host.ts';

const NOBODY = 65534;

// Integration tests run as root (the test bed needs it), so owner changes are checked, never skipped.
test('these tests run as root: chown works and the owner checks below are real', () => {
  assert.is(process.getuid?.(), 0, 'run the integration tests as root');
});

let dir = '';
let h: ModuleHost;
test.before.each(() => {
  dir = mkdtempSync(join(tmpdir(), 'ploy-copy-'));
  h = localModuleHost({ projectDir: dir });
});
test.after.each(() => rmSync(dir, { recursive: true, force: true }));

const mode = (path: string) => statSync(path).mode & 0o7777;
const converge = (args: CopyArgs, diff = false) => h.run(copy, args, { diff });
const check = (args: CopyArgs, diff = false) => h.run(copy, args, { check: true, diff });
const leftovers = (path: string) => readdirSync(path).filter((name) => name.startsWith('.ploy-'));

test('creates the file with content, mode and owner; then ok in one channel', async () => {
  const dest = join(dir, 'app.conf');
  const args: CopyArgs = { dest, content: 'port 80\n', mode: '0640', owner: 'nobody', group: 'nogroup' };
  const result = await converge(args);
  assert.equal(result.changes, [`create ${dest} (8 bytes, mode 0640, owner nobody, group nogroup)`]);
  assert.is(readFileSync(dest, 'utf8'), 'port 80\n');
  assert.is(mode(dest), 0o640);
  assert.equal([statSync(dest).uid, statSync(dest).gid], [NOBODY, NOBODY]);
  assert.equal(result.data, { dest, sha256: createHash('sha256').update('port 80\n').digest('hex'), size: 8 });
  assert.equal(leftovers(dir), []);
  const before = h.connection.channelsOpened;
  assert.is((await converge(args)).status, 'ok');
  assert.is(h.connection.channelsOpened - before, 1);
});

test('content drift: check mode predicts it with a diff (a second round trip) and alters nothing', async () => {
  const dest = join(dir, 'app.conf');
  const args: CopyArgs = { dest, content: 'port 80\nname a\n' };
  await converge(args);
  writeFileSync(dest, 'port 81\nname a\n');
  const before = h.connection.channelsOpened;
  const planned = await check(args, true);
  assert.is(h.connection.channelsOpened - before, 2, 'probe, then the old content for the diff');
  assert.equal([planned.status, planned.changes], ['changed', [`update ${dest} content`]]);
  assert.match(planned.diff ?? '', `--- ${dest}\tbefore\n+++ ${dest}\tafter\n`);
  assert.match(planned.diff ?? '', '-port 81\n+port 80\n name a\n');
  assert.is(readFileSync(dest, 'utf8'), 'port 81\nname a\n', 'check mode changed nothing');
  const noDiff = h.connection.channelsOpened;
  assert.is((await check(args)).diff, undefined);
  assert.is(h.connection.channelsOpened - noDiff, 1, 'no old content fetched without --diff');
  const applied = await converge(args, true);
  assert.is(applied.status, 'changed');
  assert.ok(applied.diff);
  assert.is(readFileSync(dest, 'utf8'), 'port 80\nname a\n');
});

test('an existing file keeps its mode and owner when none is asked; attribute drift alone is a chmod', async () => {
  const dest = join(dir, 'keep');
  writeFileSync(dest, 'old');
  chmodSync(dest, 0o604);
  await converge({ dest, content: 'new' });
  assert.equal([readFileSync(dest, 'utf8'), mode(dest)], ['new', 0o604]);
  const args: CopyArgs = { dest, content: 'new', mode: 'u=rw,go=' };
  const before = h.sent.length;
  assert.equal((await converge(args)).changes, [`${dest}: mode 0604 -> 0600`]);
  assert.equal(
    h.sent.slice(before + 1).map((s) => s.command),
    [`chmod -- 00600 ${dest}`],
    'only the chmod is sent',
  );
  assert.is(mode(dest), 0o600);
});

test('backup keeps the old file as DEST.PID.DATE~', async () => {
  const dest = join(dir, 'b.conf');
  writeFileSync(dest, 'version 1\n');
  const result = await converge({ dest, content: 'version 2\n', backup: true });
  const backup = result.data.backupFile ?? '';
  assert.match(backup, new RegExp(`^${dest}\\.\\d+\\.\\d{4}-\\d\\d-\\d\\d@\\d\\d:\\d\\d:\\d\\d~$`));
  assert.is(readFileSync(backup, 'utf8'), 'version 1\n');
  assert.is(readFileSync(dest, 'utf8'), 'version 2\n');
  assert.is((await converge({ dest, content: 'brand new', backup: true })).status, 'changed');
});

test('a missing parent directory is an error, unless directoryMode asks to create it', async () => {
  const dest = join(dir, 'etc', 'app', 'conf');
  await rejects(
    () => converge({ dest, content: 'x' }),
    (error: Error) => error instanceof TaskFailedError && error.message.includes(`its directory ${join(dir, 'etc', 'app')} does not exist`),
  );
  await converge({ dest, content: 'x', directoryMode: '0750' });
  assert.is(readFileSync(dest, 'utf8'), 'x');
  assert.is(mode(join(dir, 'etc', 'app')), 0o750);
  chmodSync(join(dir, 'etc', 'app'), 0o755);
  await converge({ dest: join(dir, 'etc', 'app', 'second'), content: 'y', directoryMode: '0700' });
  assert.is(mode(join(dir, 'etc', 'app')), 0o755, 'an existing parent keeps its mode');
});

test('src: a binary controller file from files/ arrives byte for byte; a missing one fails before the host', async () => {
  mkdirSync(join(dir, 'files'));
  const bytes = Buffer.from(Array.from({ length: 512 }, (_, i) => i % 256));
  writeFileSync(join(dir, 'files', 'blob.bin'), bytes);
  const dest = join(dir, 'blob');
  const result = await converge({ dest, src: 'blob.bin' }, true);
  assert.ok(readFileSync(dest).equals(bytes));
  assert.match(result.diff ?? '', 'binary/large file differs (new file, 512 bytes)');
  assert.is((await converge({ dest, src: 'blob.bin' })).status, 'ok');
  const before = h.connection.channelsOpened;
  await rejects(
    () => converge({ dest, src: 'nope.txt' }),
    (error: Error) => error instanceof InputError && /cannot read .*files\/nope.txt: no such file/.test(error.message),
  );
  assert.is(h.connection.channelsOpened, before, 'nothing sent to the host');
});

test('secret content: written, but masked in the diff and never on a command line', async () => {
  const dest = join(dir, 'token');
  const token = secret('K10-copy-secret-token');
  const planned = await check({ dest, content: token, mode: '0600' }, true);
  assert.not.match(planned.diff ?? '', 'K10-copy-secret-token');
  assert.match(planned.diff ?? '', '+***');
  await converge({ dest, content: token, mode: '0600' });
  assert.is(readFileSync(dest, 'utf8'), 'K10-copy-secret-token');
  for (const { command } of h.sent) assert.not.match(command, 'K10-copy-secret-token');
});

test('a failed write leaves the old file and no temp file behind', async () => {
  const dest = join(dir, 'safe');
  writeFileSync(dest, 'original');
  await rejects(() => converge({ dest, content: 'replacement', owner: 'no-such-user-xyz' }), CommandError);
  assert.is(readFileSync(dest, 'utf8'), 'original');
  assert.equal(leftovers(dir), []);
});

test('a symlink at dest is replaced by the file; a directory at dest is an error', async () => {
  writeFileSync(join(dir, 'target'), 'untouched');
  symlinkSync('target', join(dir, 'dest'));
  const planned = await check({ dest: join(dir, 'dest'), content: 'mine' });
  assert.equal(planned.changes, [`replace symlink ${join(dir, 'dest')} -> target with a file (4 bytes, mode 0644)`]);
  await converge({ dest: join(dir, 'dest'), content: 'mine' });
  assert.not.ok(lstatSync(join(dir, 'dest')).isSymbolicLink());
  assert.is(readFileSync(join(dir, 'target'), 'utf8'), 'untouched');
  mkdirSync(join(dir, 'adir'));
  await rejects(() => converge({ dest: join(dir, 'adir'), content: 'x' }), /is a directory; dest must be the full path/);
});

test('bad arguments fail in validate, before any channel is opened', async () => {
  await rejects(() => converge({ dest: 'rel', content: 'x' }), ModuleArgsError);
  await rejects(() => converge({ dest: '/x', content: 'x', mode: 600 as unknown as string }), /field "mode"/);
  assert.is(h.connection.channelsOpened, 0);
  assert.not.ok(existsSync('/x'));
});

test.run();
