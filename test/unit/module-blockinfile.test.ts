/**
 * blockinfile's text edit: a table of cases from Ansible's documented behaviour (markers, {mark},
 * markerBegin/End, insertafter/insertbefore with BOF/EOF, regexes and (?m), block removal), each
 * run through editBlock AND Ansible's own blockinfile module (ansible-core on the controller).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { compileBlockEdit, blockinfile, type BlockinfileArgs } from '../../lib/modules/blockinfile.ts';
import { editBlock, type BlockEdit } from '../../lib/modules/support/block-edit.ts';
import { runAnsibleEdits, type AnsibleEditResult } from '../support/ansible-text-edit.ts';
import { beforeAll } from '../support/before-all.ts';
import { assertArgsRejected } from '../support/module-args.ts';

interface Case {
  name: string;
  text: string | null;
  args: Omit<BlockinfileArgs, 'path'>;
  want: string;
  msg: string;
  /** Options the installed ansible-core (2.14) lacks: checked against the documented behaviour only. */
  notInAnsible214?: boolean;
}

const B = '# BEGIN ANSIBLE MANAGED BLOCK\n';
const E = '# END ANSIBLE MANAGED BLOCK\n';

const cases: Case[] = [
  { name: 'inserted at EOF by default', text: 'a\nb\n', args: { block: 'x\ny' }, want: `a\nb\n${B}x\ny\n${E}`, msg: 'Block inserted' },
  { name: 'the same block again: unchanged', text: `a\n${B}x\n${E}b\n`, args: { block: 'x' }, want: `a\n${B}x\n${E}b\n`, msg: '' },
  { name: 'an existing block is replaced in place', text: `a\n${B}old\n${E}b\n`, args: { block: 'new\nlines' }, want: `a\n${B}new\nlines\n${E}b\n`, msg: 'Block inserted' },
  { name: 'state absent removes the block and its markers', text: `a\n${B}old\n${E}b\n`, args: { state: 'absent' }, want: 'a\nb\n', msg: 'Block removed' },
  { name: 'an empty block removes it too', text: `a\n${B}old\n${E}b\n`, args: { block: '' }, want: 'a\nb\n', msg: 'Block removed' },
  { name: 'state absent without a block: unchanged', text: 'a\n', args: { state: 'absent' }, want: 'a\n', msg: '' },
  {
    name: 'custom marker with {mark}, inserted before </body> (HTML example)',
    text: '<html>\n<body>\n<p>x</p>\n</body>\n</html>\n',
    args: { marker: '<!-- {mark} ANSIBLE MANAGED BLOCK -->', insertBefore: '</body>', block: '<h1>Welcome</h1>' },
    want: '<html>\n<body>\n<p>x</p>\n<!-- BEGIN ANSIBLE MANAGED BLOCK -->\n<h1>Welcome</h1>\n<!-- END ANSIBLE MANAGED BLOCK -->\n</body>\n</html>\n',
    msg: 'Block inserted',
  },
  {
    name: 'markerBegin / markerEnd',
    text: 'a\n',
    args: { marker: '# {mark} ploy', markerBegin: 'start', markerEnd: 'stop', block: 'k=v' },
    want: 'a\n# start ploy\nk=v\n# stop ploy\n',
    msg: 'Block inserted',
  },
  { name: 'insertBefore BOF', text: 'a\nb\n', args: { insertBefore: 'BOF', block: 'x' }, want: `${B}x\n${E}a\nb\n`, msg: 'Block inserted' },
  {
    name: 'insertAfter: after the LAST matching line',
    text: 'Match x\n1\nMatch y\n2\n',
    args: { insertAfter: '^Match', block: 'k' },
    want: `Match x\n1\nMatch y\n${B}k\n${E}2\n`,
    msg: 'Block inserted',
  },
  {
    name: 'insertBefore: before the LAST matching line',
    text: 'Match x\n1\nMatch y\n2\n',
    args: { insertBefore: '^Match', block: 'k' },
    want: `Match x\n1\n${B}k\n${E}Match y\n2\n`,
    msg: 'Block inserted',
  },
  { name: 'insertAfter matching nothing: at EOF', text: 'a\n', args: { insertAfter: '^zzz', block: 'k' }, want: `a\n${B}k\n${E}`, msg: 'Block inserted' },
  { name: 'insertBefore matching nothing: at EOF too', text: 'a\n', args: { insertBefore: '^zzz', block: 'k' }, want: `a\n${B}k\n${E}`, msg: 'Block inserted' },
  {
    name: 'insertAfter with (?m) is searched in the whole text (listener.ora example)',
    text: 'SID_LIST_LISTENER_DG =\n  (SID_LIST =\n  )\n',
    args: { insertAfter: '(?m)SID_LIST_LISTENER_DG =\\n.*\\(SID_LIST =', block: '    (SID_DESC = x)', marker: '    <!-- {mark} ANSIBLE MANAGED BLOCK -->' },
    want: 'SID_LIST_LISTENER_DG =\n  (SID_LIST =\n    <!-- BEGIN ANSIBLE MANAGED BLOCK -->\n    (SID_DESC = x)\n    <!-- END ANSIBLE MANAGED BLOCK -->\n  )\n',
    msg: 'Block inserted',
  },
  { name: 'markers found: insertAfter is ignored, the block stays where it is', text: `${B}x\n${E}z\n`, args: { insertAfter: '^z', block: 'y' }, want: `${B}y\n${E}z\n`, msg: 'Block inserted' },
  { name: 'markers in reverse order: everything between goes', text: `a\n${E}m\n${B}b\n`, args: { block: 'x' }, want: `a\n${B}x\n${E}b\n`, msg: 'Block inserted' },
  { name: 'a file without a final newline gets one before the block', text: 'a', args: { block: 'x' }, want: `a\n${B}x\n${E}`, msg: 'Block inserted' },
  {
    name: 'an END marker without its newline is not found (as in Ansible): a second block is added',
    text: `${B}x\n# END ANSIBLE MANAGED BLOCK`,
    args: { block: 'x' },
    want: `${B}x\n# END ANSIBLE MANAGED BLOCK\n${B}x\n${E}`,
    msg: 'Block inserted',
  },
  { name: 'CRLF lines are lines', text: 'a\r\nb\r\n', args: { insertAfter: '^a', block: 'x' }, want: `a\r\n${B}x\n${E}b\r\n`, msg: 'Block inserted' },
  { name: 'a missing file is created with the block (create: true)', text: null, args: { block: 'x', create: true }, want: `${B}x\n${E}`, msg: 'File created' },
  { name: 'created with an empty block: an empty file', text: null, args: { block: '', create: true }, want: '', msg: 'File created' },
  {
    name: 'prependNewline / appendNewline add blank lines around the block',
    text: 'a\nb\n',
    args: { insertAfter: '^a', block: 'x', prependNewline: true, appendNewline: true },
    want: `a\n\n${B}x\n${E}\nb\n`,
    msg: 'Block inserted',
    notInAnsible214: true,
  },
];

/** The module's own compilation of the arguments, as a run would do it. */
function edit(args: Omit<BlockinfileArgs, 'path'>): BlockEdit {
  return compileBlockEdit({ ...args, path: '/unused' }, args.state ?? 'present');
}

let ansible: AnsibleEditResult[] = [];
const checked = cases.filter((c) => !c.notInAnsible214);
beforeAll(test, () => {
  ansible = runAnsibleEdits(checked.map((c) => ({ module: 'blockinfile', text: c.text, args: c.args })));
});

for (const c of cases) {
  test(c.name, () => {
    const index = checked.indexOf(c);
    if (index !== -1) {
      const real = ansible[index];
      assert.ok(real && !real.failed, `Ansible failed on this case: ${real?.msg}`);
      assert.is(real.text, c.want, "Ansible's own blockinfile");
      assert.is(real.msg, c.msg, "Ansible's msg");
    }
    const result = editBlock(c.text, edit(c.args));
    assert.is(result.text, c.want);
    assert.is(result.msg, c.msg);
    assert.is(result.changed, c.want !== c.text);
  });
}

const rejected = (args: unknown, field: string, pattern: RegExp) => assertArgsRejected(blockinfile, args, field, pattern);

test('validate names the bad field', () => {
  rejected({ path: 'x', block: 'a' }, 'path', /absolute path/);
  rejected({ path: '/x', block: 'a', marker: '# managed' }, 'marker', /must contain \{mark\}/);
  rejected({ path: '/x', block: 'a', marker: '# {mark}\n' }, 'marker', /one line/);
  rejected({ path: '/x', block: 'a', markerBegin: 'X', markerEnd: 'X' }, 'markerEnd', /must differ/);
  rejected({ path: '/x', block: 'a', insertAfter: 'x', insertBefore: 'y' }, 'insertBefore', /cannot be used together/);
  rejected({ path: '/x', block: 'a', insertAfter: '(?x)a b' }, 'insertAfter', /\(\?x\) has no JavaScript equivalent/);
  rejected({ path: '/x', block: 3 }, 'block', /must be a string/);
  rejected({ path: '/x', block: 'a', state: 'removed' }, 'state', /one of 'present', 'absent'/);
});

test.run();
