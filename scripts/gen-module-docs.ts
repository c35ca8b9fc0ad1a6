/**
 * `npm run docs:modules`: writes docs/modules.md and the README's module list from the built-in
 * modules' schemas. With --check it writes nothing and exits 1 when either is not what it would
 * write (test/unit/module-docs.test.ts makes the same comparison).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { builtinModules } from '../lib/modules/index.ts';
import { README_LIST_END, README_LIST_START, renderModuleReference, renderReadmeModuleList } from './module-reference.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const REFERENCE_PATH = join(root, 'docs', 'modules.md');
export const README_PATH = join(root, 'README.md');

/** The README with its module list replaced by the generated one; the markers must be there once. */
export function readmeWithModuleList(readme: string, list: string): string {
  const start = readme.indexOf(README_LIST_START);
  const end = readme.indexOf(README_LIST_END);
  if (start < 0 || end < start || readme.indexOf(README_LIST_START, start + 1) >= 0) {
    throw new Error(`README.md: the module list must sit once between the lines\n  ${README_LIST_START}\n  ${README_LIST_END}`);
  }
  return readme.slice(0, start) + list + readme.slice(end + README_LIST_END.length);
}

/** What the two files must hold. */
export function generatedModuleDocs(): { reference: string; readme: string } {
  return {
    reference: renderModuleReference(builtinModules),
    readme: readmeWithModuleList(readFileSync(README_PATH, 'utf8'), renderReadmeModuleList(builtinModules)),
  };
}

function main(args: readonly string[]): number {
  const check = args.includes('--check');
  const wanted = generatedModuleDocs();
  const stale = [
    { path: REFERENCE_PATH, text: wanted.reference },
    { path: README_PATH, text: wanted.readme },
  ].filter(({ path, text }) => readOrEmpty(path) !== text);
  if (check) {
    for (const { path } of stale) console.error(`${path} is not what the module schemas give: run npm run docs:modules`);
    return stale.length > 0 ? 1 : 0;
  }
  for (const { path, text } of stale) {
    writeFileSync(path, text);
    console.log(`wrote ${path}`);
  }
  return 0;
}

function readOrEmpty(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) process.exitCode = main(process.argv.slice(2));
