/**
 * The README's list of playbook flags is what `--help` prints: a flag added, renamed or described
 * anew in lib/cli/flags.ts fails here until the README says the same.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { playbookFlags } from '../../lib/cli/flags.ts';
import { formatHelp } from '../../lib/cli/help.ts';

const readme = readFileSync(join(fileURLToPath(new URL('../..', import.meta.url)), 'README.md'), 'utf8');

/** The rows of --help's "Flags:" part. */
function helpRows(): string[] {
  const help = formatHelp('ploy', playbookFlags).split('\n');
  return help.slice(help.indexOf('Flags:') + 1).filter((line) => line !== '');
}

/** The fenced blocks of the README that list flags the way --help does. */
function readmeFlagBlocks(): string[][] {
  const blocks = [...readme.matchAll(/^```[^\n]*\n([\s\S]*?)^```/gm)].map((m) => (m[1] ?? '').split('\n').filter((line) => line !== ''));
  return blocks.filter((lines) => lines.length > 0 && lines.every((line) => /^ {2}(-\w, | {4})--[\w-]+/.test(line)));
}

test('the README lists the playbook flags exactly as --help prints them', () => {
  const blocks = readmeFlagBlocks().filter((lines) => lines.some((line) => line.includes('--inventory PATH')));
  assert.is(blocks.length, 1, 'one flag list for playbooks in the README');
  assert.equal(blocks[0], helpRows());
});

test('every flag the README mentions in its prose is one --help knows', () => {
  const known = new Set(helpRows().map((row) => /--([\w-]+)/.exec(row)?.[1]));
  const playbookSection = readme.slice(readme.indexOf('## The CLI'), readme.indexOf('\n## ', readme.indexOf('## The CLI') + 1));
  const mentioned = [...playbookSection.matchAll(/`(?:[^`]*\s)?--([a-z][\w-]*)/g)].map((m) => m[1]);
  const unknown = mentioned.filter((name) => !known.has(name));
  assert.equal(unknown, [], `flags named in "The CLI" that --help does not list: ${unknown.join(', ')}`);
});

test.run();
