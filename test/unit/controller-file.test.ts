/** readControllerFile: the same bytes while the file is unchanged, the new bytes once it changed. */
import { mkdtempSync, renameSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readControllerFile } from '../../lib/controller-file.ts';

const dir = mkdtempSync(join(tmpdir(), 'ploy-controller-file-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

test('unchanged: the very same Buffer, not read again', async () => {
  const path = join(dir, 'a');
  writeFileSync(path, 'one');
  const first = await readControllerFile(path);
  assert.is(first.toString(), 'one');
  assert.ok((await readControllerFile(path)) === first);
});

test('rewritten in place, renamed over, or the same size with an older mtime: read again', async () => {
  const path = join(dir, 'b');
  writeFileSync(path, 'one');
  await readControllerFile(path);
  writeFileSync(path, 'three');
  assert.is((await readControllerFile(path)).toString(), 'three', 'new size');
  writeFileSync(join(dir, 'b.new'), 'other');
  utimesSync(join(dir, 'b.new'), new Date(0), new Date(0));
  renameSync(join(dir, 'b.new'), path);
  assert.is((await readControllerFile(path)).toString(), 'other', 'same size, another inode');
  writeFileSync(path, 'OTHER');
  assert.is((await readControllerFile(path)).toString(), 'OTHER', 'same size and inode, new mtime');
});

test('a missing file rejects, and is read once it exists', async () => {
  const path = join(dir, 'c');
  const missing = await readControllerFile(path).then(
    () => 'read',
    (error: NodeJS.ErrnoException) => error.code,
  );
  assert.is(missing, 'ENOENT');
  writeFileSync(path, 'now');
  assert.is((await readControllerFile(path)).toString(), 'now');
});

test.run();
