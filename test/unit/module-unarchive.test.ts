/** unarchive's format detection, and its compare-and-install script run for real on the controller (LocalConnection, GNU tar). */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { rejects } from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TaskFailedError } from '../../lib/errors.ts';
import { archiveFormat } from '../../lib/modules/support/unarchive-script.ts';
import { unarchive, type UnarchiveArgs } from '../../lib/modules/unarchive.ts';
import { localModuleHost } from '../support/module-host.ts';

let dir = '';
test.before.each(() => {
  dir = mkdtempSync(join(tmpdir(), 'ploy-unarchive-unit-'));
  mkdirSync(join(dir, 'files'));
  mkdirSync(join(dir, 'src', 'app', 'conf'), { recursive: true });
  writeFileSync(join(dir, 'src', 'app', 'bin'), 'binary\n');
  writeFileSync(join(dir, 'src', 'app', 'conf', 'a.yaml'), 'a: 1\n');
  execFileSync('tar', ['-czf', join(dir, 'files', 'app.tgz'), '-C', join(dir, 'src'), 'app']);
  mkdirSync(join(dir, 'dest'));
});
test.after.each(() => rmSync(dir, { recursive: true, force: true }));

const run = (args: UnarchiveArgs, check = false) => localModuleHost({ projectDir: dir }).run(unarchive, args, { check });

test('formats come from the name; anything else is refused in validate', () => {
  assert.equal(['a.tar.gz', 'a.TGZ', 'a.tar', 'a.tar.xz', 'a.tbz2', 'a.zip', 'https://x/a.zip?sig=1', 'a.rar', 'a.gz'].map(archiveFormat), [
    'tar',
    'tar',
    'tar',
    'tar',
    'tar',
    'zip',
    'zip',
    undefined,
    undefined,
  ]);
});

test('a file where the archive has a directory is replaced by the directory', async () => {
  writeFileSync(join(dir, 'dest', 'app'), 'in the way');
  const result = await run({ src: 'app.tgz', dest: join(dir, 'dest') });
  assert.is(result.status, 'changed');
  assert.ok(lstatSync(join(dir, 'dest', 'app')).isDirectory());
  assert.is(readFileSync(join(dir, 'dest', 'app', 'conf', 'a.yaml'), 'utf8'), 'a: 1\n');
  assert.is((await run({ src: 'app.tgz', dest: join(dir, 'dest') })).status, 'ok');
});

test('a directory where the archive has a file is an error naming it, and the temp dir goes', async () => {
  mkdirSync(join(dir, 'dest', 'app', 'bin'), { recursive: true });
  await rejects(
    () => run({ src: 'app.tgz', dest: join(dir, 'dest') }),
    (error: Error) => error instanceof TaskFailedError && error.message.includes(`cannot replace the directory ${join(dir, 'dest', 'app', 'bin')} with a file`),
  );
  assert.equal(readdirSync(join(dir, 'dest')), ['app']);
});

test('a corrupt archive fails as an extraction error, leaving dest as it was', async () => {
  writeFileSync(join(dir, 'files', 'bad.tgz'), 'this is not gzip');
  await rejects(() => run({ src: 'bad.tgz', dest: join(dir, 'dest') }), /extracting bad.tgz failed \(tar\)/);
  assert.equal(readdirSync(join(dir, 'dest')), []);
});

test.run();
