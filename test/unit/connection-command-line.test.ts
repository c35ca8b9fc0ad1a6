import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../../lib/errors.ts';
import { becomeWrap, buildCommandLine } from '../../lib/connection/command-line.ts';

function run(line: string) {
  const r = spawnSync('/bin/sh', ['-c', line], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('no options: the command as written', () => {
  assert.is(buildCommandLine('ls -l | wc -l'), 'ls -l | wc -l');
});

test('env is prefixed with env K=V, values quoted, and reaches every part of a compound command', () => {
  const line = buildCommandLine('echo "$A"; echo "$B" && echo "$A$B"', { env: { A: "it's $HOME `x`", B: 'plain' } });
  assert.is(line, `env A='it'\\''s $HOME \`x\`' B=plain /bin/sh -c 'echo "$A"; echo "$B" && echo "$A$B"'`);
  assert.equal(run(line), { code: 0, stdout: "it's $HOME `x`\nplain\nit's $HOME `x`plain\n", stderr: '' });
});

test('cwd: cd DIR first; the command does not run when the directory is missing', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ploy cwd '));
  const ok = run(buildCommandLine('pwd', { cwd: dir }));
  assert.is(ok.stdout, `${dir}\n`);
  const missing = run(buildCommandLine('echo ran || echo ran-anyway', { cwd: join(dir, 'nope') }));
  assert.is(missing.code, 1);
  assert.is(missing.stdout, '');
  assert.match(missing.stderr, /nope/);
});

test('cwd and env together', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ploy-'));
  const line = buildCommandLine('echo "$X" $(pwd)', { cwd: dir, env: { X: 'x y' } });
  assert.is(line.startsWith(`cd ${dir} || exit 1; env X='x y' /bin/sh -c`), true, line);
  assert.is(run(line).stdout, `x y ${dir}\n`);
});

test('become wraps everything in sudo -H -S -p PROMPT -u USER, echoing the marker on both streams first', () => {
  const wrap = becomeWrap('deploy');
  assert.match(wrap.prompt, /^\[ploy-sudo-[0-9a-f]{24}\] password: $/);
  assert.match(wrap.marker, /^PLOY-BECOME-SUCCESS-[0-9a-f]{24}$/);
  assert.is.not(becomeWrap('deploy').marker, wrap.marker, 'a fresh marker every time');
  const line = buildCommandLine('id -un', { cwd: '/srv/app', env: { K: 'v' }, become: wrap });
  assert.is(line, `sudo -H -S -p '${wrap.prompt}' -u deploy -- /bin/sh -c 'echo ${wrap.marker}; echo ${wrap.marker} >&2; cd /srv/app || exit 1; env K=v /bin/sh -c '\\''id -un'\\'''`);
  // Without sudo in the way, the inner script prints the markers then runs the command.
  const inner = line.replace(/^sudo .* -- /, '');
  const r = run(inner.replace('cd /srv/app', 'cd /'));
  assert.is(r.stdout, `${wrap.marker}\n${process.env['USER'] ?? spawnSync('id', ['-un'], { encoding: 'utf8' }).stdout.trim()}\n`);
  assert.is(r.stderr, `${wrap.marker}\n`);
});

test('timeoutMs wraps the line in timeout -k 1 SECONDS, which stops the whole process group', () => {
  const line = buildCommandLine('sleep 30 & wait', { timeoutMs: 300, cwd: '/' });
  assert.is(line, `timeout -k 1 0.3 /bin/sh -c 'cd / || exit 1; sleep 30 & wait'`);
  const started = Date.now();
  assert.is(run(line).code, 124);
  assert.ok(Date.now() - started < 5000);
  assert.match(buildCommandLine('true', { timeoutMs: 90_000 }), /^timeout -k 1 90 /);
  const wrap = becomeWrap('root');
  assert.match(buildCommandLine('true', { timeoutMs: 1500, become: wrap }), new RegExp(`echo ${wrap.marker} >&2; timeout -k 1 1.5 /bin/sh -c`));
  assert.throws(
    () => buildCommandLine('true', { timeoutMs: 0 }),
    (e: unknown) => e instanceof InputError,
  );
});

test('a user name needing quotes is quoted', () => {
  const wrap = { user: 'we ird', prompt: 'p: ', marker: 'M' };
  assert.match(buildCommandLine('true', { become: wrap }), / -u 'we ird' -- /);
});

test('bad env names and an empty cwd are InputErrors', () => {
  assert.throws(
    () => buildCommandLine('true', { env: { 'A-B': '1' } }),
    (e: unknown) => e instanceof InputError && /A-B/.test((e as Error).message),
  );
  assert.throws(
    () => buildCommandLine('true', { env: { 'A=B': '1' } }),
    (e: unknown) => e instanceof InputError,
  );
  assert.throws(
    () => buildCommandLine('true', { cwd: '' }),
    (e: unknown) => e instanceof InputError,
  );
});

test.run();
