import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { command } from '../../lib/modules/command.ts';
import { copy } from '../../lib/modules/copy.ts';
import { file } from '../../lib/modules/file.ts';
import { shell } from '../../lib/modules/shell.ts';
import { splitArgv } from '../../lib/modules/support/argv.ts';
import { template } from '../../lib/modules/template.ts';
import { secret } from '../../lib/secret.ts';
import { assertArgsAccepted as accepts, assertArgsRejected as rejects } from '../support/module-args.ts';

test('splitArgv splits like a shell without expanding anything', () => {
  assert.equal(splitArgv(`ls -l 'my dir' "a \\"b\\" $HOME" c\\ d`), ['ls', '-l', 'my dir', 'a "b" $HOME', 'c d']);
  assert.equal(splitArgv(`echo a|b >x '' ""`), ['echo', 'a|b', '>x', '', '']);
  assert.equal(splitArgv('  a \\\n  b  '), ['a', 'b']);
  assert.throws(() => splitArgv(`echo 'oops`), /unclosed single quote/);
  assert.throws(() => splitArgv(`echo "oops`), /unclosed double quote/);
});

test('command and shell arguments', () => {
  accepts(command, { cmd: ['ls', '-l'], creates: '/x', env: { A: 'b', T: secret('tok-123') } });
  accepts(shell, { cmd: 'ls -l | wc -l', unless: 'test -e /x' });
  rejects(command, { cmd: 'echo "x' }, 'cmd', /unclosed double quote/);
  rejects(command, { cmd: [] }, 'cmd', /program and its arguments/);
  rejects(command, {}, 'cmd', /got nothing/);
  rejects(command, { cmd: 'ls', creates: 'relative' }, 'creates', /absolute path/);
  rejects(command, { cmd: 'ls', cwd: 'tmp' }, 'cwd', /absolute path/);
  rejects(command, { cmd: 'ls', env: { 'A-B': 'x' } }, 'env', /invalid variable name/);
  rejects(command, { cmd: 'ls', env: { A: 1 } }, 'env', /A must be a string or a Secret/);
  rejects(command, { cmd: 'ls', env: { A: secret('two\nlines') } }, 'env', /cannot contain a newline/);
  rejects(command, { cmd: 'ls', timeoutMs: -5 }, 'timeoutMs', /positive whole number/);
  rejects(command, { cmd: 'ls', readOnly: true, creates: '/x' }, 'creates', /readOnly/);
  rejects(command, { cmd: 'ls', readOnly: true, changedWhen: () => true }, 'changedWhen', /readOnly/);
  rejects(command, { cmd: 'ls', chdir: '/tmp' }, 'chdir', /unknown argument/);
  rejects(shell, { cmd: ['ls'] }, 'cmd', /use the command module/);
  rejects(shell, { cmd: '  ' }, 'cmd', /non-empty script/);
});

test('file arguments', () => {
  accepts(file, { path: '/etc/x', state: 'directory', mode: '0755', recurse: true, owner: 'deploy', group: '1000' });
  rejects(file, { path: 'etc/x', state: 'file' }, 'path', /absolute path, got "etc\/x"/);
  rejects(file, { path: '/x', state: 'present' }, 'state', /one of 'file', 'directory'/);
  rejects(file, { path: '/x' }, 'state', /got nothing/);
  rejects(file, { path: '/x', state: 'file', mode: 644 }, 'mode', /not the number 644/);
  rejects(file, { path: '/x', state: 'file', mode: 'rwxr-xr-x' }, 'mode', /neither octal/);
  rejects(file, { path: '/x', state: 'file', owner: 'Bad User' }, 'owner', /user or group name/);
  rejects(file, { path: '/x', state: 'file', owner: 1000 }, 'owner', /write a numeric id as '1000'/);
  rejects(file, { path: '/x', state: 'link' }, 'src', /needs src/);
  rejects(file, { path: '/x', state: 'hard', src: 'rel' }, 'src', /absolute path/);
  rejects(file, { path: '/x', state: 'file', src: '/y' }, 'src', /only states 'link' and 'hard'/);
  rejects(file, { path: '/x', state: 'link', src: '/y', mode: '0644' }, 'mode', /no mode of its own/);
  rejects(file, { path: '/x', state: 'absent', owner: 'root' }, 'owner', /takes no owner/);
  rejects(file, { path: '/./', state: 'absent' }, 'path', /refusing to remove \//);
  rejects(file, { path: '/x', state: 'file', recurse: true }, 'recurse', /only state 'directory'/);
  rejects(file, { path: '/x\ny', state: 'file' }, 'path', /control characters/);
});

test('copy and template arguments', () => {
  accepts(copy, { dest: '/etc/x', content: secret('s3cret'), mode: 'u=rw,go=' });
  accepts(copy, { dest: '/etc/x', content: Buffer.from([0, 1, 2]) });
  accepts(template, { src: 'a.hbs', dest: '/x', vars: { port: 80 }, mode: '0600' });
  rejects(copy, { dest: '/x' }, 'src', /give src .* or content/);
  rejects(copy, { dest: '/x', src: 'a', content: 'b' }, 'content', /not both/);
  rejects(copy, { dest: 'x', content: 'b' }, 'dest', /absolute path/);
  rejects(copy, { dest: '/x', content: 42 }, 'content', /string, a Buffer or a Secret/);
  rejects(copy, { dest: '/x', content: 'b', directoryMode: 755 }, 'directoryMode', /not the number 755/);
  rejects(copy, { dest: '/x', content: 'b', backup: 'yes' }, 'backup', /true or false/);
  rejects(template, { dest: '/x' }, 'src', /must name a template/);
  rejects(template, { src: 'a.hbs', dest: '/x', vars: [] }, 'vars', /object of variables/);
  rejects(template, { src: 'a.hbs', dest: '/x', mode: 600 }, 'mode', /not the number 600/);
});

test.run();
