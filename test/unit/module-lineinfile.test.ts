/**
 * lineinfile's text edit, as a table of cases from Ansible's documented behaviour (the module's
 * examples and its insertafter/insertbefore/backrefs/firstmatch rules). Each case runs through
 * editLines AND through Ansible's own lineinfile module (ansible-core on the controller), so the
 * table cannot drift from what Ansible really does.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { compileLineEdit, lineinfile, type LineinfileArgs } from '../../lib/modules/lineinfile.ts';
import { editLines, type LineEdit } from '../../lib/modules/support/line-edit.ts';
import { runAnsibleEdits, type AnsibleEditResult } from '../support/ansible-text-edit.ts';
import { beforeAll } from '../support/before-all.ts';
import { assertArgsRejected } from '../support/module-args.ts';

interface Case {
  name: string;
  text: string;
  args: Omit<LineinfileArgs, 'path'>;
  want: string;
  msg: string;
  /** The replacement feeds on its own output (a second run would change it again). */
  once?: boolean;
  /** What Ansible itself produces where ploy deliberately differs. */
  ansible?: string;
}

const cases: Case[] = [
  {
    name: 'regexp replaces the matching line (SELINUX example)',
    text: 'SELINUX=disabled\nSELINUXTYPE=targeted\n',
    args: { regexp: '^SELINUX=', line: 'SELINUX=enforcing' },
    want: 'SELINUX=enforcing\nSELINUXTYPE=targeted\n',
    msg: 'line replaced',
  },
  {
    name: 'regexp: the LAST matching line is replaced',
    text: 'x=1\nx=2\n',
    args: { regexp: '^x=', line: 'x=9' },
    want: 'x=1\nx=9\n',
    msg: 'line replaced',
  },
  {
    name: 'regexp with firstMatch: the first matching line is replaced',
    text: 'x=1\nx=2\n',
    args: { regexp: '^x=', line: 'x=9', firstMatch: true },
    want: 'x=9\nx=2\n',
    msg: 'line replaced',
  },
  {
    name: 'state absent with regexp removes every matching line (%wheel example)',
    text: 'root ALL=(ALL) ALL\n%wheel ALL=(ALL) ALL\n%wheel2 x\n',
    args: { state: 'absent', regexp: '^%wheel' },
    want: 'root ALL=(ALL) ALL\n',
    msg: '2 line(s) removed',
  },
  {
    name: 'state absent with line removes exact lines only (trailing \\r ignored)',
    text: 'a\nab\na\r\n',
    args: { state: 'absent', line: 'a' },
    want: 'ab\n',
    msg: '2 line(s) removed',
  },
  {
    name: 'state absent with searchString removes lines containing it',
    text: 'keep\nremove me\nalso remove\n',
    args: { state: 'absent', searchString: 'remove' },
    want: 'keep\n',
    msg: '2 line(s) removed',
  },
  {
    name: 'state absent, nothing matches: unchanged',
    text: 'a\n',
    args: { state: 'absent', regexp: '^b' },
    want: 'a\n',
    msg: '',
  },
  {
    name: 'insertAfter: no regexp match, inserted after the LAST line matching insertAfter (Listen example)',
    text: '#Listen 80\nfoo\n#Listen 443\nbar\n',
    args: { regexp: '^Listen ', insertAfter: '^#Listen ', line: 'Listen 8080' },
    want: '#Listen 80\nfoo\n#Listen 443\nListen 8080\nbar\n',
    msg: 'line added',
  },
  {
    name: 'insertAfter with firstMatch: after the FIRST matching line',
    text: '#Listen 80\nfoo\n#Listen 443\nbar\n',
    args: { regexp: '^Listen ', insertAfter: '^#Listen ', line: 'Listen 8080', firstMatch: true },
    want: '#Listen 80\nListen 8080\nfoo\n#Listen 443\nbar\n',
    msg: 'line added',
  },
  {
    name: 'insertAfter is ignored when regexp matches: the match is replaced in place',
    text: 'Listen 80\n#Listen 443\n',
    args: { regexp: '^Listen ', insertAfter: '^#Listen ', line: 'Listen 8080' },
    want: 'Listen 8080\n#Listen 443\n',
    msg: 'line replaced',
  },
  {
    name: 'insertAfter matching nothing: appended at EOF',
    text: 'a\n',
    args: { insertAfter: '^nothing', line: 'b' },
    want: 'a\nb\n',
    msg: 'line added',
  },
  {
    name: 'insertBefore: before the last matching line (/etc/services example)',
    text: 'a\nwww 80/tcp\nb\nwww 8080/tcp\n',
    args: { regexp: '^# port for http', insertBefore: '^www.*80/tcp', line: '# port for http by default' },
    want: 'a\nwww 80/tcp\nb\n# port for http by default\nwww 8080/tcp\n',
    msg: 'line added',
  },
  {
    name: 'insertBefore with firstMatch: before the first matching line',
    text: 'a\nwww 80/tcp\nb\nwww 8080/tcp\n',
    args: { insertBefore: '^www.*80/tcp', line: '# http', firstMatch: true },
    want: 'a\n# http\nwww 80/tcp\nb\nwww 8080/tcp\n',
    msg: 'line added',
  },
  {
    name: 'insertBefore BOF',
    text: 'a\n',
    args: { insertBefore: 'BOF', line: 'first' },
    want: 'first\na\n',
    msg: 'line added',
  },
  {
    name: 'insertAfter BOF',
    text: 'a\n',
    args: { insertAfter: 'BOF', line: 'first' },
    want: 'first\na\n',
    msg: 'line added',
  },
  {
    name: 'the line already present anywhere: nothing inserted',
    text: 'a\nb\nc\n',
    args: { insertAfter: '^c', line: 'a' },
    want: 'a\nb\nc\n',
    msg: '',
  },
  {
    name: 'an exact line with CRLF is rewritten with LF, as Ansible compares whole lines',
    text: 'a\r\nb\n',
    args: { line: 'a', regexp: '^nomatch' },
    want: 'a\nb\n',
    msg: 'line replaced',
  },
  {
    name: 'appending to a file without a final newline adds one first',
    text: 'a\nb',
    args: { line: 'c' },
    want: 'a\nb\nc\n',
    msg: 'line added',
  },
  {
    name: 'insertAfter matching a last line without newline (deliberate fix: not glued to it)',
    text: 'a\n#anchor',
    args: { insertAfter: '^#anchor', line: 'new' },
    want: 'a\n#anchor\nnew\n',
    msg: 'line added',
    ansible: 'a\n#anchornew\n',
  },
  {
    name: 'backrefs: groups expanded into line (Xms example)',
    text: 'JAVA_OPTS -Xms256m -Xmx1g\n',
    args: { regexp: '^(.*)Xms(\\d+)m(.*)$', line: '\\1Xms1024m\\3', backrefs: true },
    want: 'JAVA_OPTS -Xms1024m -Xmx1g\n',
    msg: 'line replaced',
  },
  {
    name: 'backrefs with \\g<1> and a named group',
    text: 'host=old\n',
    args: { regexp: '^(?P<key>host)=(.*)$', line: '\\g<key>=\\g<1>-\\g<2>', backrefs: true },
    want: 'host=host-old\n',
    msg: 'line replaced',
    once: true,
  },
  {
    name: 'backrefs without a match: nothing at all (no insert)',
    text: 'other\n',
    args: { regexp: '^(.*)Xms(\\d+)m(.*)$', line: '\\1Xms1024m\\3', backrefs: true },
    want: 'other\n',
    msg: '',
  },
  {
    name: 'searchString replaces the line containing it',
    text: 'port=80\nname=x\n',
    args: { searchString: 'port=', line: 'port=8080' },
    want: 'port=8080\nname=x\n',
    msg: 'line replaced',
  },
  {
    name: 'an empty (created) file gets the line',
    text: '',
    args: { line: 'only' },
    want: 'only\n',
    msg: 'line added',
  },
  {
    name: "regexp's $ matches before the newline, as Python's does",
    text: 'key = 1\n',
    args: { regexp: '^key = 1$', line: 'key = 2' },
    want: 'key = 2\n',
    msg: 'line replaced',
  },
  {
    name: 'a regexp line replaced by an identical line: unchanged',
    text: 'key = 2\n',
    args: { regexp: '^key', line: 'key = 2' },
    want: 'key = 2\n',
    msg: '',
  },
];

/** The module's own compilation of the arguments, as a run would do it. */
function edit(args: Omit<LineinfileArgs, 'path'>): LineEdit {
  return compileLineEdit({ ...args, path: '/unused' }, args.state ?? 'present');
}

let ansible: AnsibleEditResult[] = [];
beforeAll(test, () => {
  ansible = runAnsibleEdits(cases.map((c) => ({ module: 'lineinfile', text: c.text, args: c.args })));
});

for (const [index, c] of cases.entries()) {
  test(c.name, () => {
    const real = ansible[index];
    assert.ok(real && !real.failed, `Ansible failed on this case: ${real?.msg}`);
    assert.is(real.text, c.ansible ?? c.want, "Ansible's own lineinfile");
    assert.is(real.msg, c.msg, "Ansible's msg");
    const result = editLines(c.text, edit(c.args));
    assert.is(result.text, c.want);
    assert.is(result.msg, c.msg);
    assert.is(result.changed, c.want !== c.text);
    if (result.changed && c.args.state !== 'absent' && !c.once) {
      assert.is(editLines(result.text, edit(c.args)).changed, false, 'a second run changes nothing');
    }
  });
}

const rejected = (args: unknown, field: string, pattern: RegExp) => assertArgsRejected(lineinfile, args, field, pattern);

test('validate refuses what Ansible refuses, naming the field', () => {
  rejected({ path: 'etc/x', line: 'a' }, 'path', /absolute path/);
  rejected({ path: '/x' }, 'line', /line is required with state 'present'/);
  rejected({ path: '/x', state: 'gone', line: 'a' }, 'state', /one of 'present', 'absent'/);
  rejected({ path: '/x', state: 'absent' }, 'line', /needs one of line, regexp or searchString/);
  rejected({ path: '/x', line: 'a', backrefs: true }, 'backrefs', /needs a regexp/);
  rejected({ path: '/x', line: 'a', insertAfter: 'EOF', insertBefore: 'BOF' }, 'insertBefore', /cannot be used together/);
  rejected({ path: '/x', line: 'a', regexp: 'a', searchString: 'a' }, 'searchString', /cannot be used together/);
  rejected({ path: '/x', line: 'a', regexp: '(' }, 'regexp', /not a valid regular expression "\("/);
  rejected({ path: '/x', line: '\\3', regexp: '(a)', backrefs: true }, 'line', /invalid group reference "3"/);
  rejected({ path: '/x', line: 'a\nb' }, 'line', /one line/);
  rejected({ path: '/x', line: 'a', mode: 644 }, 'mode', /quote it/);
  rejected({ path: '/x', line: 'a', validate: 'visudo -cf' }, 'validate', /must contain %s/);
  rejected({ path: '/x', line: 'a', insertafter: 'EOF' }, 'insertafter', /unknown argument/);
});

test.run();
