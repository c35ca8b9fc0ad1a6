import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { HEADER_SCRIPT, parseProbeOutput, pathProbeScript, readHeader, readPathState, readTree, treeProbeScript } from '../../lib/modules/support/probe.ts';

const run = (script: string) => execFileSync('/bin/sh', ['-c', script], { encoding: 'utf8' });

test('parser: header, a present file, an absent path and a link', () => {
  const facts = parseProbeOutput(
    [
      'umask=0027',
      'id=1000 1001',
      'a.type=file',
      'a.stat=2755 0 50 root staff 12 99 2049',
      'a.sha256=abc=def',
      'b.type=absent',
      'c.type=link',
      'c.stat=777 0 0 root root 4 7 2049',
      'c.target=../x y',
      '',
    ].join('\n'),
  );
  assert.equal(readHeader(facts), { umask: 0o027, uid: 1000, gid: 1001 });
  assert.equal(readPathState(facts, 'a'), { type: 'file', mode: 0o2755, uid: 0, gid: 50, owner: 'root', group: 'staff', size: 12, inode: 99, device: 2049, sha256: 'abc=def' });
  assert.equal(readPathState(facts, 'b'), { type: 'absent' });
  const link = readPathState(facts, 'c');
  assert.is(link.type, 'link');
  assert.is(link.type !== 'absent' && link.target, '../x y');
});

test('parser: missing or garbled lines are errors, not silently absent', () => {
  assert.throws(() => readPathState(parseProbeOutput('x.type=file\n'), 'x'), /no valid x.stat/);
  assert.throws(() => readPathState(parseProbeOutput(''), 'x'), /no valid x.type/);
  assert.throws(() => readHeader(parseProbeOutput('umask=0022\n')), /header/);
});

test('the probe script describes real paths, and exits 0 when they are missing', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ploy-probe-'));
  try {
    writeFileSync(join(dir, 'f'), 'hello\n');
    chmodSync(join(dir, 'f'), 0o640);
    mkdirSync(join(dir, 'd'));
    symlinkSync('f', join(dir, 'l'));
    symlinkSync('nowhere', join(dir, 'dangling'));
    const script = [
      HEADER_SCRIPT,
      pathProbeScript('f', join(dir, 'f'), { follow: false, sha256: true }),
      pathProbeScript('d', join(dir, 'd'), { follow: false, sha256: true }),
      pathProbeScript('l', join(dir, 'l'), { follow: false }),
      pathProbeScript('lf', join(dir, 'l'), { follow: true, sha256: true }),
      pathProbeScript('dl', join(dir, 'dangling'), { follow: true }),
      pathProbeScript('gone', join(dir, 'no such'), { follow: true, sha256: true }),
    ].join('\n');
    const facts = parseProbeOutput(run(script));
    assert.is(readHeader(facts).uid, process.getuid?.());
    const f = readPathState(facts, 'f');
    assert.equal(f.type === 'file' && [f.mode, f.size, f.sha256], [0o640, 6, '5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03']);
    assert.is(readPathState(facts, 'd').type, 'directory');
    const l = readPathState(facts, 'l');
    assert.equal(l.type === 'link' && l.target, 'f');
    const lf = readPathState(facts, 'lf');
    assert.equal(lf.type === 'file' && lf.sha256 !== undefined, true, 'followed, the link is its file');
    assert.is(readPathState(facts, 'dl').type, 'link', 'a dangling link stays a link even when following');
    assert.is(readPathState(facts, 'gone').type, 'absent');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the tree probe prints each distinct kind of entry once', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ploy-tree-'));
  try {
    for (const name of ['a', 'b', 'c']) writeFileSync(join(dir, name), '');
    mkdirSync(join(dir, 'sub'));
    writeFileSync(join(dir, 'sub', 'x'), '');
    chmodSync(join(dir, 'sub', 'x'), 0o600);
    symlinkSync('a', join(dir, 'link'));
    chmodSync(dir, 0o755);
    chmodSync(join(dir, 'sub'), 0o755);
    for (const name of ['a', 'b', 'c']) chmodSync(join(dir, name), 0o644);
    const kinds = readTree(parseProbeOutput(run(treeProbeScript(dir))));
    const me = userInfo().username;
    const summary = kinds.map((k) => `${k.type} ${k.mode.toString(8)} ${k.owner}`).sort();
    assert.equal(summary, [`directory 755 ${me}`, `file 600 ${me}`, `file 644 ${me}`, `link 777 ${me}`]);
    assert.equal(readTree(parseProbeOutput(run(treeProbeScript(join(dir, 'missing'))))), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
