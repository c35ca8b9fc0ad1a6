import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { keysOf } from '../../lib/modules/authorized-key.ts';
import { editAuthorizedKeys, parseKeyLine } from '../../lib/modules/support/authorized-keys.ts';

const A = 'AAAAC3NzaC1lZDI1NTE5AAAAIAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
const B = 'AAAAC3NzaC1lZDI1NTE5AAAAIBbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb';
const C = 'AAAAB3NzaC1yc2EAAAADAQABAAABAQCccccccccccccccccccccccccccccccccccccc==';
const key = (line: string) => {
  const parsed = parseKeyLine(line);
  if (!parsed) throw new Error(`test key does not parse: ${line}`);
  return parsed;
};

test('parseKeyLine: options with quoted blanks, type, blob, comment words', () => {
  assert.equal(parseKeyLine(`command="echo a b",from="10.0.0.1" ssh-ed25519 ${A} me@host  extra  words`), {
    options: 'command="echo a b",from="10.0.0.1"',
    type: 'ssh-ed25519',
    blob: A,
    comment: 'me@host extra words',
    line: `command="echo a b",from="10.0.0.1" ssh-ed25519 ${A} me@host  extra  words`,
  });
  assert.is(parseKeyLine(`ssh-rsa ${C}`)?.comment, '');
  assert.is(parseKeyLine('# ssh-ed25519 comment'), undefined);
  assert.is(parseKeyLine('   '), undefined);
  assert.is(parseKeyLine('ssh-foo AAAA x'), undefined, 'unknown type');
  assert.is(parseKeyLine('ssh-ed25519 not*base64'), undefined);
  assert.is(parseKeyLine('ssh-ed25519'), undefined, 'no blob');
});

test('present: appended at the end; an unchanged file is returned byte for byte (even without a final newline)', () => {
  const current = `# keys\nssh-ed25519 ${A} a@x`;
  assert.equal(editAuthorizedKeys(current, [key(`ssh-ed25519 ${A} a@x`)], 'present', false), { text: current, changes: [] });
  const added = editAuthorizedKeys(current, [key(`ssh-ed25519 ${B} b@x`)], 'present', false);
  assert.is(added.text, `# keys\nssh-ed25519 ${A} a@x\nssh-ed25519 ${B} b@x\n`);
  assert.equal(added.changes, [`add ssh-ed25519 ...${B.slice(-8)} b@x`]);
  assert.is(editAuthorizedKeys('', [key(`ssh-rsa ${C}`)], 'present', false).text, `ssh-rsa ${C}\n`);
});

test('present: the same key with other options or comment replaces its line in place (Ansible compares options and comment)', () => {
  const current = `ssh-ed25519 ${A} a@x\nssh-ed25519 ${B} b@x\n`;
  const options = editAuthorizedKeys(current, [key(`no-pty ssh-ed25519 ${A} a@x`)], 'present', false);
  assert.is(options.text, `no-pty ssh-ed25519 ${A} a@x\nssh-ed25519 ${B} b@x\n`);
  assert.match(options.changes[0] ?? '', /\(options "" -> "no-pty"\)$/);
  const comment = editAuthorizedKeys(current, [key(`ssh-ed25519 ${A}`)], 'present', false);
  assert.is(comment.text, `ssh-ed25519 ${A}\nssh-ed25519 ${B} b@x\n`, 'a key given without comment drops the comment, as Ansible does');
  const spaced = editAuthorizedKeys(`ssh-ed25519   ${A}   a@x\n`, [key(`ssh-ed25519 ${A} a@x`)], 'present', false);
  assert.equal(spaced.changes, [], 'blanks between the parts do not count');
});

test('present: a key listed twice in the file keeps its first line', () => {
  const edit = editAuthorizedKeys(`ssh-ed25519 ${A} a@x\nssh-ed25519 ${A} a@x\n`, [key(`ssh-ed25519 ${A} a@x`)], 'present', false);
  assert.is(edit.text, `ssh-ed25519 ${A} a@x\n`);
  assert.match(edit.changes[0] ?? '', /^remove duplicate/);
});

test('absent: every line with the key goes, whatever its options or comment; other lines stay', () => {
  const current = `# mine\nfrom="x" ssh-ed25519 ${A} old\nssh-ed25519 ${B} b@x\nssh-ed25519 ${A} again\n`;
  const edit = editAuthorizedKeys(current, [key(`ssh-ed25519 ${A} a@x`)], 'absent', false);
  assert.is(edit.text, `# mine\nssh-ed25519 ${B} b@x\n`);
  assert.is(edit.changes.length, 2);
  assert.equal(editAuthorizedKeys(current, [key(`ssh-rsa ${C}`)], 'absent', false), { text: current, changes: [] });
});

test('exclusive: only the wanted keys remain (comments and blank lines go too, as with Ansible), existing order kept', () => {
  const current = `# team\nssh-ed25519 ${B} b@x\n\nssh-ed25519 ${A} a@x\n`;
  const edit = editAuthorizedKeys(current, [key(`ssh-ed25519 ${A} a@x`), key(`ssh-rsa ${C} c@x`)], 'present', true);
  assert.is(edit.text, `ssh-ed25519 ${A} a@x\nssh-rsa ${C} c@x\n`);
  assert.equal(edit.changes, [`remove ssh-ed25519 ...${B.slice(-8)} b@x (exclusive)`, 'drop 2 comment or blank lines (exclusive)', `add ssh-rsa ...${C.slice(-8)} c@x`]);
  assert.equal(editAuthorizedKeys(edit.text, [key(`ssh-ed25519 ${A} a@x`), key(`ssh-rsa ${C} c@x`)], 'present', true).changes, []);
});

test('keysOf: several lines in one string, blank and # lines skipped; bad or repeated keys refused', () => {
  assert.is(keysOf(`ssh-ed25519 ${A} a\n\n# note\nssh-ed25519 ${B} b\n`).length, 2);
  assert.throws(() => keysOf(`ssh-ed25519 ${A} a\nrsa-key AAAA`), /not a public key line/);
  assert.throws(() => keysOf([`ssh-ed25519 ${A} a`, `no-pty ssh-ed25519 ${A} b`]), /the same key is given twice/);
  assert.throws(() => keysOf(''), /holds no key/);
});

test.run();
