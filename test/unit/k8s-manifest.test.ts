import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { throws } from 'node:assert/strict';
import { parse } from 'yaml';
import { ManifestSyntaxError, manifestText, parseManifest } from '../../lib/k8s/manifest.ts';
import { matchesSelector, parseSelector } from '../../lib/k8s/selector.ts';

test('multi-document: empty and comment-only documents are skipped, numbering follows the text', () => {
  const entries = parseManifest('---\n# nothing here\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n---\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: b}\n');
  assert.equal(
    entries.map((e) => [e.document, (e.value as { metadata: { name: string } }).metadata.name]),
    [
      [2, 'a'],
      [4, 'b'],
    ],
  );
});

test('YAML 1.1 as kubectl reads it: yes/on are booleans, 0777 is octal; printing quotes such strings', () => {
  const [entry] = parseManifest('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: yes, b: on, c: 0777, d: "yes"}\n');
  assert.equal((entry?.value as { data: unknown }).data, { a: true, b: true, c: 511, d: 'yes' });
  const text = manifestText([{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'n' }, data: { a: 'yes', b: 'on', c: '0777', d: 'y' } }]);
  assert.match(text, 'name: "n"');
  assert.match(text, 'a: "yes"\n  b: "on"\n  c: "0777"\n  d: "y"');
  const back = parseManifest(text)[0]?.value as { data: unknown };
  assert.equal(back.data, { a: 'yes', b: 'on', c: '0777', d: 'y' }, 'what ploy prints, kubectl reads back as strings');
});

test('kind: List is unwrapped; lines point into its items', () => {
  const text = 'apiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: Namespace\n    metadata:\n      name: a\n  - apiVersion: v1\n    kind: Namespace\n    metadata:\n      name: b\n';
  const entries = parseManifest(text);
  assert.is(entries.length, 2);
  assert.equal(entries[1]?.prefix, ['items', 1]);
  assert.is(entries[1]?.lineOf(['metadata', 'name']), 11);
  assert.is(entries[1]?.lineOf(['spec', 'replicas']), 8, 'a missing field points at the nearest enclosing one');
});

test('syntax errors say the line and column; duplicate keys are errors', () => {
  throws(
    () => parseManifest('a: 1\nb: [1, 2\n'),
    (error: Error) => error instanceof ManifestSyntaxError && error.line === 3 && /document 1/.test(error.message),
  );
  throws(
    () => parseManifest('a: 1\n---\na: 1\na: 2\n'),
    (error: Error) => error instanceof ManifestSyntaxError && error.line === 4 && /document 2/.test(error.message),
  );
});

test('printing: namespaces and CRDs first, everything else in the given order, one document each', () => {
  const objects = [
    { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' } },
    { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'crd' } },
    { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' } },
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ns' } },
  ];
  const text = manifestText(objects);
  assert.equal(
    text.split('---\n').map((doc) => (parse(doc) as { kind: string }).kind),
    ['Namespace', 'CustomResourceDefinition', 'Deployment', 'Service'],
  );
  assert.not.match(text, /\n\n/);
});

test('label selectors: equality, inequality, sets and existence; malformed ones are refused', () => {
  const labels = { app: 'web', tier: 'front' };
  assert.ok(matchesSelector(labels, parseSelector('app=web,tier!=db')));
  assert.ok(matchesSelector(labels, parseSelector('app==web, tier in (front,back), !legacy')));
  assert.not.ok(matchesSelector(labels, parseSelector('app=api')));
  assert.not.ok(matchesSelector(labels, parseSelector('app,owner')));
  assert.not.ok(matchesSelector(labels, parseSelector('tier notin (front)')));
  assert.ok(matchesSelector(labels, parseSelector('app.kubernetes.io/managed-by!=helm')));
  throws(() => parseSelector('app=web,'), /empty requirement/);
  throws(() => parseSelector('app=we b'), /not a label/);
  throws(() => parseSelector('-bad=x'), /not a label key/);
});

test.run();
