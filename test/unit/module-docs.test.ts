/**
 * One module reference: docs/modules.md and the README's module list are what the module schemas
 * give (scripts/gen-module-docs.ts), every built-in module is in both, and no link points at a
 * doc or a section that is not there (docs/roles.md's among them, which the README's roles table links).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { builtinModules } from '../../lib/modules/index.ts';
import { clusterRoles } from '../../playbooks/cluster-roles.ts';
import { generatedModuleDocs, README_PATH, readmeWithModuleList, REFERENCE_PATH } from '../../scripts/gen-module-docs.ts';
import { README_LIST_END, README_LIST_START, renderModuleReference, renderReadmeModuleList } from '../../scripts/module-reference.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const reference = readFileSync(REFERENCE_PATH, 'utf8');
const readme = readFileSync(README_PATH, 'utf8');

test('docs/modules.md is what npm run docs:modules generates from the schemas', () => {
  const wanted = generatedModuleDocs();
  assert.ok(reference === wanted.reference, 'docs/modules.md differs from the schemas: run npm run docs:modules (and edit lib/modules/, not the file)');
  assert.ok(readme === wanted.readme, "README.md's module list differs from the schemas: run npm run docs:modules");
});

test('every built-in module has a section in docs/modules.md and a line in the README linking to it', () => {
  const names = Object.keys(builtinModules);
  assert.is(names.length, 22);
  const list = readme.slice(readme.indexOf(README_LIST_START), readme.indexOf(README_LIST_END));
  for (const name of names) {
    assert.ok(reference.includes(`\n### ${name}\n`), `docs/modules.md has no section for ${name}`);
    assert.ok(list.includes(`- [\`${name}\`](docs/modules.md#${name.toLowerCase()}): `), `the README's module list has no line for ${name}`);
  }
  assert.is(list.match(/^- \[/gm)?.length, names.length, 'one README line per module, no more');
});

test('each module documents every argument: its type, its text, required or optional, and says what check mode does', () => {
  for (const [name, module] of Object.entries(builtinModules)) {
    const schema = module.schema;
    if (schema === undefined) assert.unreachable(`${name} declares no schema`);
    else {
      assert.ok(schema.doc.summary.length > 0 && schema.doc.checkMode.length > 0, `${name}: summary and check mode`);
      const start = reference.indexOf(`\n### ${name}\n`);
      const end = reference.indexOf('\n### ', start + 1);
      const section = reference.slice(start, end < 0 ? undefined : end).split('\n');
      for (const [arg, spec] of Object.entries(schema.args)) {
        assert.ok(spec.type.length > 0 && spec.doc.length > 0, `${name}.${arg}: type and text`);
        assert.not.ok(spec.required && spec.default !== undefined, `${name}.${arg}: a required argument has no default`);
        const cells = section.find((line) => line.startsWith(`| \`${arg}\` |`))?.split(' | ');
        assert.is(cells?.[2], spec.required ? '**required**' : spec.default === undefined ? '' : `\`${spec.default}\``, `${name}.${arg}: required/default in its row`);
      }
    }
  }
});

test('the rendering: a pipe in a type is escaped in its cell, a < outside code is not taken for HTML, a module outside the groups is refused', () => {
  const schema = builtinModules.lineinfile.schema;
  assert.ok(schema);
  const one = { lineinfile: { name: 'lineinfile', schema } };
  assert.throws(() => renderModuleReference(one), /module command \(MODULE_GROUPS\) is not a built-in module with a schema/);
  const all = { ...builtinModules, extra: { name: 'extra', schema } };
  assert.throws(() => renderModuleReference(all), /module extra is in no group of MODULE_GROUPS/);
  assert.match(reference, "| `state` | `'present' \\| 'absent'` | `'present'` |");
  assert.match(reference, 'a Python template (\\1, \\g&lt;name>)');
  assert.match(renderReadmeModuleList(builtinModules), /^<!-- module list/);
});

test('the README list is replaced between its markers, and missing markers are an error', () => {
  const text = `a\n${README_LIST_START}\nold\n${README_LIST_END}\nb\n`;
  assert.is(readmeWithModuleList(text, `${README_LIST_START}\nnew\n${README_LIST_END}`), `a\n${README_LIST_START}\nnew\n${README_LIST_END}\nb\n`);
  assert.throws(() => readmeWithModuleList('no markers', 'x'), /must sit once between the lines/);
});

/** The #anchors GitHub gives a Markdown file's headings (outside code blocks), a repeated one suffixed -1, -2, ... */
function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  let inFence = false;
  for (const line of markdown.split('\n')) {
    if (/^(```|~~~)/.test(line)) inFence = !inFence;
    const heading = inFence ? null : /^#{1,6} (.+)$/.exec(line);
    if (heading === null) continue;
    const slug = (heading[1] ?? '')
      .trim()
      .toLowerCase()
      .replace(/[^\p{L}\p{N} _-]/gu, '')
      .replace(/ /g, '-');
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return anchors;
}

test('the anchors of headings: punctuation and code marks dropped, spaces to hyphens, repeats numbered, fenced lines no headings', () => {
  const anchors = headingAnchors('# site.ts and its roles\n## The whole site (`npm run demo`)\n### Notes\n### Notes\n```sh\n# not a heading\n```\n');
  assert.equal([...anchors], ['sitets-and-its-roles', 'the-whole-site-npm-run-demo', 'notes', 'notes-1']);
});

test('links from README.md and docs/*.md to files of the repository point at files that exist, and #anchors into Markdown files (docs/modules.md, docs/roles.md, the file itself) at their sections', () => {
  const docs = readdirSync(join(root, 'docs')).filter((file) => file.endsWith('.md'));
  assert.not.ok(
    docs.some((file) => /^modules-/.test(file)),
    'the hand-written docs/modules-*.md are gone',
  );
  assert.ok(docs.includes('roles.md'), "docs/roles.md, the cluster roles' reference, is there");
  const anchorsOf = new Map<string, Set<string>>();
  const anchorsIn = (path: string): Set<string> => {
    let anchors = anchorsOf.get(path);
    if (anchors === undefined) anchorsOf.set(path, (anchors = headingAnchors(readFileSync(path, 'utf8'))));
    return anchors;
  };
  let checkedAnchors = 0;
  for (const [file, dir] of [['README.md', root], ...docs.map((doc) => [join('docs', doc), join(root, 'docs')])] as const) {
    const text = readFileSync(join(root, file), 'utf8');
    for (const [, target = ''] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z]+:/.test(target)) continue;
      const [path = '', anchor] = target.split('#');
      const resolved = path === '' ? join(root, file) : join(dir, path);
      assert.ok(existsSync(resolved), `${file}: the link to ${target} points at nothing`);
      if (anchor !== undefined && resolved.endsWith('.md')) {
        assert.ok(anchorsIn(resolved).has(anchor), `${file}: ${path === '' ? file : path} has no section #${anchor}`);
        checkedAnchors += 1;
      }
    }
  }
  const readmeToRoles = [...readme.matchAll(/\]\(docs\/roles\.md#([^)]+)\)/g)].map((m) => m[1]);
  assert.equal(
    readmeToRoles,
    clusterRoles.map((role) => `the-${role.name}-role`),
    "the README's roles table links each role of site.ts, in its order, to its section of docs/roles.md",
  );
  assert.ok(checkedAnchors > readmeToRoles.length, 'anchors were checked');
});

test.run();
