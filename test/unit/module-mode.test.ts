import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ModuleArgsError } from '../../lib/errors.ts';
import { quote } from '../../lib/shell.ts';
import { chmodArgument, defaultMode, formatMode, parseMode, resolveMode } from '../../lib/modules/support/mode.ts';

test('octal strings are exact modes', () => {
  assert.is(resolveMode(parseMode('0644'), 0o777, false, 0o022), 0o644);
  assert.is(resolveMode(parseMode('644'), 0o000, false, 0o022), 0o644);
  assert.is(resolveMode(parseMode('2755'), 0o700, true, 0o022), 0o2755);
  assert.is(resolveMode(parseMode('0755'), 0o2775, true, 0o022), 0o755, 'an octal mode clears a directory setgid bit, unlike GNU chmod 755');
});

test('a number is refused with the reason and the string to write instead', () => {
  try {
    parseMode(644);
    assert.unreachable('644 was accepted');
  } catch (error) {
    assert.instance(error, ModuleArgsError);
    const message = (error as Error).message;
    assert.match(message, /not the number 644/);
    assert.match(message, /mode: '0644'/);
    assert.is((error as ModuleArgsError).where?.field, 'mode');
  }
  assert.throws(() => parseMode(0o644), /or '0644' if you wrote 0o644/, '0o644 (420) suggests 0644 too');
  assert.throws(() => parseMode(493), /quote it: mode: '0755'/, '493 has an 8 or 9, so only 0o755 can be meant');
});

test('malformed modes are refused, naming the field', () => {
  for (const bad of ['', '0888', '12', '77777', 'u=rwz', 'rw', 'u=u+x,', 'x=r']) {
    assert.throws(
      () => parseMode(bad, 'directoryMode'),
      (error: Error) => error instanceof ModuleArgsError && /field "directoryMode"/.test(error.message),
      bad,
    );
  }
});

test('symbolic modes apply to the current mode', () => {
  assert.is(resolveMode(parseMode('u=rw,g=r,o='), 0o777, false, 0o022), 0o640);
  assert.is(resolveMode(parseMode('u+x,go-w'), 0o666, false, 0o022), 0o744);
  assert.is(resolveMode(parseMode('a+X'), 0o644, false, 0o022), 0o644, 'X needs an x bit or a directory');
  assert.is(resolveMode(parseMode('a+X'), 0o644, true, 0o022), 0o755);
  assert.is(resolveMode(parseMode('a+X'), 0o744, false, 0o022), 0o755);
  assert.is(resolveMode(parseMode('+w'), 0o444, false, 0o022), 0o644, 'no who: the umask bits are left alone');
  assert.is(resolveMode(parseMode('g=u'), 0o700, false, 0o022), 0o770);
  assert.is(resolveMode(parseMode('g+s'), 0o755, true, 0o022), 0o2755);
});

test('new paths start from 0666/0777 less the umask', () => {
  assert.is(defaultMode(false, 0o022), 0o644);
  assert.is(defaultMode(true, 0o027), 0o750);
  assert.is(formatMode(0o2755), '2755');
  assert.is(chmodArgument(0o644), '00644');
});

test('resolveMode agrees with GNU chmod on real files and directories', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ploy-mode-'));
  try {
    const specs = ['u=rw,g=r,o=r', 'u+x,go-w', 'a+X', 'u=rwX,g=rX,o=', '+x', '-w', '=r', 'g=u', 'o=g', 'u+s', 'g+s', '+t', 'a-s', 'u=rw', 'ug=rwx,o-rwx', 'go=', 'a=rX,u+w', 'u-x+w', 'g-s'];
    const starts = [0o000, 0o644, 0o755, 0o700, 0o2775, 0o4711, 0o1777, 0o640];
    const cases: Array<{ path: string; isDirectory: boolean; start: number; spec: string }> = [];
    for (const isDirectory of [false, true]) {
      for (const start of starts) {
        for (const spec of specs) {
          const path = join(dir, `p${cases.length}`);
          if (isDirectory) mkdirSync(path);
          else writeFileSync(path, '');
          cases.push({ path, isDirectory, start, spec });
        }
      }
    }
    // One shell for all cases: chmod to the start mode, apply the spec, print the result.
    const script = ['umask 027', ...cases.map((c) => `chmod ${formatMode(c.start)} ${quote(c.path)}; chmod -- ${quote(c.spec)} ${quote(c.path)}; stat -c %a ${quote(c.path)}`)].join('\n');
    const actual = execFileSync('/bin/sh', ['-c', script], { encoding: 'utf8' }).trim().split('\n');
    assert.is(actual.length, cases.length);
    cases.forEach((c, i) => {
      const predicted = resolveMode(parseMode(c.spec), c.start, c.isDirectory, 0o027);
      assert.is(formatMode(predicted), formatMode(parseInt(actual[i] ?? '', 8)), `${c.isDirectory ? 'dir' : 'file'} ${formatMode(c.start)} ${c.spec}`);
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
