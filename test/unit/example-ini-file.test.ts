/** examples/ini-file: the project module's INI edit as a table of cases, and its argument checks. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { editIni, type IniEdit } from '../../examples/ini-file/ini-edit.ts';
import { iniFile } from '../../examples/ini-file/ini-file.ts';
import { secret } from '../../lib/secret.ts';
import { assertArgsAccepted, assertArgsRejected } from '../support/module-args.ts';

const set = (section: string | null, option: string, value: string, noExtraSpaces = false): IniEdit => ({ section, option, value, state: 'present', noExtraSpaces });
const drop = (section: string | null, option?: string): IniEdit => ({ section, option, state: 'absent', noExtraSpaces: false });

const cases: Array<{ name: string; text: string | null; edit: IniEdit; want: string; msg: string }> = [
  { name: 'a missing file gets the section and the option', text: null, edit: set('Journal', 'SystemMaxUse', '200M', true), want: '[Journal]\nSystemMaxUse=200M\n', msg: 'section and option added' },
  { name: 'a missing section is appended after a blank line', text: '[a]\nx = 1\n', edit: set('b', 'y', '2'), want: '[a]\nx = 1\n\n[b]\ny = 2\n', msg: 'section and option added' },
  {
    name: "an option is added after the section's last line, before the blank line and the next header",
    text: '[a]\nx = 1\n\n[b]\ny = 2\n',
    edit: set('a', 'z', '3'),
    want: '[a]\nx = 1\nz = 3\n\n[b]\ny = 2\n',
    msg: 'option added',
  },
  {
    name: 'a value is changed in place, spacing and comments elsewhere kept',
    text: '# top\n[a]\n; note\nx=1   \n[b]\nx = 1\n',
    edit: set('b', 'x', '2'),
    want: '# top\n[a]\n; note\nx=1   \n[b]\nx = 2\n',
    msg: 'option changed',
  },
  { name: 'an equal value is no change, byte for byte (no final newline kept)', text: '[a]\nx = 1', edit: set('a', 'x', '1'), want: '[a]\nx = 1', msg: 'OK' },
  { name: 'later duplicates in the section go, since they would override the first', text: '[a]\nx = 1\ny = 0\nx = 5\n', edit: set('a', 'x', '1'), want: '[a]\nx = 1\ny = 0\n', msg: 'option changed' },
  { name: 'a commented-out option is not the option', text: '[a]\n# x = 1\n', edit: set('a', 'x', '2'), want: '[a]\n# x = 1\nx = 2\n', msg: 'option added' },
  { name: 'the global part: before the first header', text: 'top = 1\n\n[a]\nx = 1\n', edit: set(null, 'other', 'v'), want: 'top = 1\nother = v\n\n[a]\nx = 1\n', msg: 'option added' },
  { name: 'the global part of a file with a header first: at the top', text: '[a]\nx = 1\n', edit: set(null, 'g', '1'), want: 'g = 1\n[a]\nx = 1\n', msg: 'option added' },
  { name: 'the same option in another section is left alone', text: '[a]\nx = 1\n[b]\nx = 1\n', edit: drop('b', 'x'), want: '[a]\nx = 1\n[b]\n', msg: 'option removed' },
  { name: 'removing an absent option is no change', text: '[a]\nx = 1\n', edit: drop('a', 'y'), want: '[a]\nx = 1\n', msg: 'OK' },
  { name: 'removing a section takes its body up to the next header', text: '[a]\nx = 1\n\n[b]\ny = 2\n', edit: drop('a'), want: '[b]\ny = 2\n', msg: 'section removed' },
  { name: 'header names are matched without the spaces around them', text: '[ a ]\nx = 1\n', edit: set('a', 'x', '2'), want: '[ a ]\nx = 2\n', msg: 'option changed' },
];

for (const c of cases) {
  test(`editIni: ${c.name}`, () => {
    const outcome = editIni(c.text, c.edit);
    assert.is(outcome.text, c.want);
    assert.is(outcome.msg, c.msg);
    assert.is(editIni(outcome.text, c.edit).msg, 'OK', 'a second run changes nothing');
  });
}

test('validate accepts what the README shows, a Secret value and a number', () => {
  assertArgsAccepted(iniFile, { path: '/etc/x.ini', section: 'a', option: 'k', value: 'v' });
  assertArgsAccepted(iniFile, { path: '/etc/x.ini', section: 'a', option: 'password', value: secret('s3cret-value'), mode: '0600' });
  assertArgsAccepted(iniFile, { path: '/etc/x.ini', option: 'port', value: 8080 });
  assertArgsAccepted(iniFile, { path: '/etc/x.ini', section: 'a', state: 'absent' });
});

test('validate refuses bad arguments, naming the field', () => {
  assertArgsRejected(iniFile, { path: 'etc/x.ini', section: 'a', option: 'k', value: 'v' }, 'path', /absolute path/);
  assertArgsRejected(iniFile, { path: '/x', section: 'a', option: 'k', value: 'v', sektion: 'b' }, 'sektion', /unknown argument/);
  assertArgsRejected(iniFile, { path: '/x', section: 'a', value: 'v' }, 'option', /required with state 'present'/);
  assertArgsRejected(iniFile, { path: '/x', section: 'a', option: 'k' }, 'value', /required with state 'present'/);
  assertArgsRejected(iniFile, { path: '/x', section: 'a', option: 'k', value: 'v', state: 'absent' }, 'value', /not used with state 'absent'/);
  assertArgsRejected(iniFile, { path: '/x', section: '[a]', option: 'k', value: 'v' }, 'section', /without brackets/);
  assertArgsRejected(iniFile, { path: '/x', section: 'a', option: 'k=v', value: 'v' }, 'option', /cannot hold =/);
  assertArgsRejected(iniFile, { path: '/x', section: 'a', option: 'k', value: 'two\nlines' }, 'value', /one line/);
  assertArgsRejected(iniFile, { path: '/x', section: 'a', option: 'k', value: true }, 'value', /string, a number or a Secret/);
  assertArgsRejected(iniFile, { path: '/x', state: 'absent' }, 'section', /section to remove/);
  assertArgsRejected(iniFile, { path: '/x', section: 'a', option: 'k', value: 'v', mode: 644 }, 'mode', /.+/);
});

test.run();
