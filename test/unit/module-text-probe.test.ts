/** The one text reader of lineinfile, blockinfile, sysctl and authorizedKey probes, run for real with /bin/sh. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TaskFailedError } from '../../lib/errors.ts';
import { parseProbeOutput } from '../../lib/modules/support/probe.ts';
import { digestTextProbe, readProbedText, TEXT_EDIT_LIMIT_BYTES, textProbeScript } from '../../lib/modules/support/text-probe.ts';

let dir = '';
test.before.each(() => {
  dir = mkdtempSync(join(tmpdir(), 'ploy-text-probe-'));
});
test.after.each(() => rmSync(dir, { recursive: true, force: true }));

const probe = (path: string) => spawnSync('/bin/sh', ['-c', textProbeScript('conf', path)], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
const read = (path: string) => readProbedText(parseProbeOutput(probe(path).stdout), 'conf', path, 'sysctl edits text files only');

test('a regular file comes back byte for byte, an empty one as empty text', () => {
  const text = 'net.ipv4.ip_forward = 1\n# é, tabs\tand = signs\n\nno final newline';
  writeFileSync(join(dir, 'a.conf'), text);
  assert.is(read(join(dir, 'a.conf')), text);
  writeFileSync(join(dir, 'empty'), '');
  assert.is(read(join(dir, 'empty')), '');
});

test('a missing path, a directory and a symbolic link (even to a file) are no text', () => {
  writeFileSync(join(dir, 'target'), 'x\n');
  symlinkSync(join(dir, 'target'), join(dir, 'link'));
  for (const path of [join(dir, 'missing'), dir, join(dir, 'link')]) {
    const result = probe(path);
    assert.equal([result.status, result.stdout], [0, ''], path);
    assert.is(read(path), undefined);
  }
});

test('over the limit: refused with its size, nothing read', () => {
  const big = join(dir, 'big');
  writeFileSync(big, '');
  truncateSync(big, TEXT_EDIT_LIMIT_BYTES + 1);
  assert.is(probe(big).stdout, `conf.toolarge=${TEXT_EDIT_LIMIT_BYTES + 1}\n`);
  assert.throws(
    () => read(big),
    (error: Error) =>
      error instanceof TaskFailedError &&
      error.message === `${big} is too large to edit line by line (${TEXT_EDIT_LIMIT_BYTES + 1} bytes, limit ${TEXT_EDIT_LIMIT_BYTES}); use copy or template for whole files`,
  );
  truncateSync(big, TEXT_EDIT_LIMIT_BYTES);
  assert.is(read(big)?.length, TEXT_EDIT_LIMIT_BYTES, 'exactly the limit is still read');
});

test('not UTF-8: an error naming the file and what to do, never a lossy decode', () => {
  writeFileSync(join(dir, 'latin1'), Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a]));
  assert.throws(
    () => read(join(dir, 'latin1')),
    (error: Error) => error instanceof TaskFailedError && error.message === `${join(dir, 'latin1')} is not UTF-8 text; sysctl edits text files only`,
  );
});

test('a file that cannot be read fails the probe (exit 3) instead of reading as empty', () => {
  // /proc/self/mem is a regular file of size 0 whose first byte no process can read (EIO), root included.
  const result = probe('/proc/self/mem');
  assert.is(result.status, 3);
  assert.not.match(result.stdout, /conf\.text=\n/);
});

test('probe keys must be plain words', () => {
  assert.throws(() => textProbeScript('a.b', '/x'), /plain word/);
});

test('digestTextProbe: the sha256 of the bytes the text probe read, as sha256sum prints it; nothing without text or over a digest already there', () => {
  const bytes = Buffer.from('line one\nzwei\u00e9\n');
  const facts = new Map<string, string[]>([['edit.text', [bytes.toString('base64')]]]);
  digestTextProbe(facts, 'edit', 'dest');
  assert.equal(facts.get('dest.sha256'), [execFileSync('sha256sum', { input: bytes, encoding: 'utf8' }).split(' ')[0]]);
  const without = new Map<string, string[]>();
  digestTextProbe(without, 'edit', 'dest');
  assert.is(without.has('dest.sha256'), false);
  const already = new Map<string, string[]>([
    ['edit.text', ['eA==']],
    ['dest.sha256', ['given']],
  ]);
  digestTextProbe(already, 'edit', 'dest');
  assert.equal(already.get('dest.sha256'), ['given']);
});

test.run();
