import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { rejects } from 'node:assert/strict';
import { chmodSync, chownSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ModuleArgsError, TaskFailedError } from '../../lib/errors.ts';
import { file, type FileArgs } from '../../lib/modules/file.ts';
import { localModuleHost, type ModuleHost } from '../support/module-host.ts';

const NOBODY = 65534;

// Integration tests run as root (the test bed needs it), so owner changes are checked, never skipped.
test('these tests run as root: chown works and the owner checks below are real', () => {
  assert.is(process.getuid?.(), 0, 'run the integration tests as root');
});

let dir = '';
let h: ModuleHost;
test.before.each(() => {
  dir = mkdtempSync(join(tmpdir(), 'ploy-file-'));
  h = localModuleHost();
});
test.after.each(() => rmSync(dir, { recursive: true, force: true }));

const mode = (path: string) => statSync(path).mode & 0o7777;
const converge = (args: FileArgs) => h.run(file, args);
const check = (args: FileArgs) => h.run(file, args, { check: true });

/** A second run must be ok with exactly one channel (the probe). */
async function assertIdempotent(args: FileArgs): Promise<void> {
  const before = h.connection.channelsOpened;
  const again = await converge(args);
  assert.is(again.status, 'ok', JSON.stringify(again.changes));
  assert.is(h.connection.channelsOpened - before, 1);
}

test('directory: created with its parents, mode and owner; then ok in one channel', async () => {
  const path = join(dir, 'a', 'b');
  const args: FileArgs = { path, state: 'directory', mode: '0750', owner: 'nobody', group: 'nogroup' };
  const result = await converge(args);
  assert.is(result.status, 'changed');
  assert.equal(result.changes, [`create directory ${path} (mode 0750, owner nobody, group nogroup)`]);
  assert.is(mode(path), 0o750);
  assert.equal([statSync(path).uid, statSync(path).gid], [NOBODY, NOBODY]);
  await assertIdempotent(args);
});

test('directory: drift is predicted in check mode without altering anything, then fixed', async () => {
  const path = join(dir, 'd');
  const args: FileArgs = { path, state: 'directory', mode: 'u=rwx,g=rx,o=' };
  await converge(args);
  chmodSync(path, 0o777);
  const planned = await check(args);
  assert.equal([planned.status, planned.changes], ['changed', [`${path}: mode 0777 -> 0750`]]);
  assert.is(mode(path), 0o777, 'check mode changed nothing');
  assert.is((await converge(args)).status, 'changed');
  assert.is(mode(path), 0o750);
  await assertIdempotent(args);
});

test('directory recurse: one find detects drift deep in the tree; chown/chmod -R fix it', async () => {
  const path = join(dir, 'tree');
  mkdirSync(join(path, 'sub', 'deeper'), { recursive: true });
  writeFileSync(join(path, 'sub', 'deeper', 'f'), 'x');
  writeFileSync(join(path, 'g'), 'y');
  chmodSync(join(path, 'g'), 0o755);
  symlinkSync('g', join(path, 'link'));
  const args: FileArgs = { path, state: 'directory', recurse: true, mode: 'u=rwX,g=rX,o=', owner: 'nobody' };
  const first = await converge(args);
  assert.is(first.status, 'changed');
  assert.is(mode(join(path, 'sub', 'deeper', 'f')), 0o640);
  assert.is(mode(join(path, 'g')), 0o750, 'X keeps execute on an executable file');
  assert.is(mode(join(path, 'sub', 'deeper')), 0o750);
  assert.is(lstatSync(join(path, 'link')).uid, NOBODY, 'links are chowned too');
  await assertIdempotent(args);
  chmodSync(join(path, 'sub', 'deeper', 'f'), 0o666);
  chownSync(join(path, 'sub', 'deeper', 'f'), 0, 0);
  const planned = await check(args);
  assert.is(planned.status, 'changed');
  assert.match(planned.changes[0] ?? '', `${path} and everything in it: `);
  assert.match(planned.changes[0] ?? '', 'mode 0666 -> 0640');
  assert.match(planned.changes[0] ?? '', 'owner root -> nobody');
  assert.is(mode(join(path, 'sub', 'deeper', 'f')), 0o666, 'check mode changed nothing');
  await converge(args);
  assert.is(mode(join(path, 'sub', 'deeper', 'f')), 0o640);
  await assertIdempotent(args);
});

test("file: an existing file gets its attributes; a missing one is an error (like Ansible's)", async () => {
  const path = join(dir, 'f');
  await rejects(
    () => converge({ path, state: 'file', mode: '0600' }),
    (error: Error) => error instanceof TaskFailedError && error.message.includes(`${path} does not exist; state 'file' only sets`),
  );
  writeFileSync(path, 'data');
  chmodSync(path, 0o644);
  const args: FileArgs = { path, state: 'file', mode: 'go-r' };
  assert.equal((await converge(args)).changes, [`${path}: mode 0644 -> 0600`]);
  assert.is(mode(path), 0o600);
  await assertIdempotent(args);
  await rejects(() => converge({ path: dir, state: 'file' }), /is a directory, not a file/);
});

test('touch: creates an empty file with its final mode, then leaves it (and its timestamps) alone', async () => {
  const path = join(dir, 'new');
  const args: FileArgs = { path, state: 'touch', mode: '0640' };
  assert.equal((await converge(args)).changes, [`create empty file ${path} (mode 0640)`]);
  assert.equal([statSync(path).size, mode(path)], [0, 0o640]);
  const mtime = statSync(path).mtimeMs;
  await assertIdempotent(args);
  assert.is(statSync(path).mtimeMs, mtime);
  await rejects(() => converge({ path: join(dir, 'no', 'parent'), state: 'touch' }), /its directory .* does not exist/);
});

test('link: created, re-pointed atomically, and a file is replaced only with force', async () => {
  const path = join(dir, 'current');
  mkdirSync(join(dir, 'v1'));
  mkdirSync(join(dir, 'v2'));
  const v1: FileArgs = { path, state: 'link', src: 'v1' };
  assert.equal((await converge(v1)).changes, [`create symbolic link ${path} -> v1`]);
  assert.is(readlinkSync(path), 'v1');
  await assertIdempotent(v1);
  const v2: FileArgs = { path, state: 'link', src: join(dir, 'v2') };
  const planned = await check(v2);
  assert.equal(planned.changes, [`replace symbolic link (-> v1) ${path} with a symbolic link -> ${join(dir, 'v2')}`]);
  assert.is(readlinkSync(path), 'v1', 'check mode changed nothing');
  await converge(v2);
  assert.is(readlinkSync(path), join(dir, 'v2'), 'a link to a directory is replaced, not written into');
  assert.not.ok(existsSync(join(dir, 'v1', 'current')));
  await rejects(() => converge({ path: join(dir, 'dangling'), state: 'link', src: 'missing' }), /the link target missing does not exist .*set force: true/);
  await converge({ path: join(dir, 'dangling'), state: 'link', src: 'missing', force: true });
  assert.is(readlinkSync(join(dir, 'dangling')), 'missing');
  writeFileSync(join(dir, 'plain'), 'x');
  await rejects(() => converge({ path: join(dir, 'plain'), state: 'link', src: 'v1' }), /exists as a file; set force: true/);
  await converge({ path: join(dir, 'plain'), state: 'link', src: 'v1', force: true });
  assert.ok(lstatSync(join(dir, 'plain')).isSymbolicLink());
  await rejects(() => converge({ path: join(dir, 'v2'), state: 'link', src: 'v1', force: true }), /is a directory; refusing to replace it/);
  const owned: FileArgs = { path, state: 'link', src: join(dir, 'v2'), owner: 'nobody' };
  assert.equal((await converge(owned)).changes, [`${path}: owner root -> nobody`]);
  assert.is(lstatSync(path).uid, NOBODY, 'the link itself is chowned');
  assert.is(statSync(join(dir, 'v2')).uid, 0, 'not its target');
  await assertIdempotent(owned);
});

test('hard: linked to the same inode; ok when already linked', async () => {
  const src = join(dir, 'orig');
  writeFileSync(src, 'content');
  const args: FileArgs = { path: join(dir, 'hl'), state: 'hard', src };
  assert.is((await converge(args)).status, 'changed');
  assert.is(statSync(join(dir, 'hl')).ino, statSync(src).ino);
  await assertIdempotent(args);
  const other = join(dir, 'other');
  writeFileSync(other, 'different');
  await rejects(() => converge({ path: other, state: 'hard', src }), /exists as a file; set force: true to replace it with a hard link/);
  await converge({ path: other, state: 'hard', src, force: true });
  assert.is(statSync(other).ino, statSync(src).ino);
  await rejects(() => converge({ path: join(dir, 'x'), state: 'hard', src: join(dir, 'none') }), /cannot hard-link to .* it does not exist/);
});

test('absent: removes a directory tree; ok when already gone', async () => {
  const path = join(dir, 'gone');
  mkdirSync(join(path, 'sub'), { recursive: true });
  writeFileSync(join(path, 'sub', 'f'), 'x');
  const planned = await check({ path, state: 'absent' });
  assert.equal(planned.changes, [`remove ${path} and everything in it`]);
  assert.ok(existsSync(path));
  await converge({ path, state: 'absent' });
  assert.not.ok(existsSync(path));
  await assertIdempotent({ path, state: 'absent' });
  symlinkSync(dir, join(dir, 'link-to-dir'));
  await converge({ path: join(dir, 'link-to-dir'), state: 'absent' });
  assert.ok(existsSync(dir), 'removing a link leaves its target');
});

test('bad arguments fail in validate, before any channel is opened', async () => {
  await rejects(() => converge({ path: 'relative', state: 'directory' }), ModuleArgsError);
  await rejects(() => converge({ path: '/x', state: 'file', mode: 644 as unknown as string }), /field "mode": file: mode must be a string, not the number 644/);
  assert.is(h.connection.channelsOpened, 0);
});

test.run();
