import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'ansible-text-edit.py');
/** Debian's python3, where the ansible-core package installs Ansible (CI installs it too). */
const PYTHON = '/usr/bin/python3';

export interface AnsibleEditCase {
  module: 'lineinfile' | 'blockinfile';
  /** The file's text before, or null for a missing file. */
  text: string | null;
  /** ploy's camelCase arguments, without path. */
  args: Record<string, unknown>;
}

export interface AnsibleEditResult {
  text: string | null;
  changed: boolean;
  msg: string;
  failed: boolean;
}

const SNAKE: Record<string, string> = {
  insertAfter: 'insertafter',
  insertBefore: 'insertbefore',
  searchString: 'search_string',
  firstMatch: 'firstmatch',
  markerBegin: 'marker_begin',
  markerEnd: 'marker_end',
  prependNewline: 'prepend_newline',
  appendNewline: 'append_newline',
};

/** Run Ansible's own lineinfile/blockinfile on each case (one python process for all of them). */
export function runAnsibleEdits(cases: readonly AnsibleEditCase[]): AnsibleEditResult[] {
  const input = cases.map((c) => ({
    module: c.module,
    text: c.text,
    args: Object.fromEntries(Object.entries(c.args).map(([key, value]) => [SNAKE[key] ?? key, value])),
  }));
  const run = spawnSync(PYTHON, [SCRIPT], { input: JSON.stringify(input), encoding: 'utf8', cwd: '/tmp' });
  if (run.status !== 0) throw new Error(`Ansible's modules could not run (${PYTHON} ${SCRIPT}): ${run.stderr || run.error?.message}`);
  return JSON.parse(run.stdout) as AnsibleEditResult[];
}
