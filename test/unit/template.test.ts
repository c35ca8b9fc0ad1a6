import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InputError } from '../../lib/errors.ts';
import { secret } from '../../lib/secret.ts';
import { renderTemplate } from '../../lib/template/render.ts';
import type { Vars } from '../../lib/vars.ts';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');
const templatesDir = join(fixtures, 'templates');

const siteVars: Vars = {
  server: { name: 'example.org' },
  tls: true,
  plain: false,
  env: 'prod',
  upstreams: ['10.0.0.1:8080', '10.0.0.2:8080'],
  aliases: ['www.example.org', 'example.net'],
  command: "echo it's",
  settings: { workers: 4, paths: ['/a', '/b'] },
};

const render = (src: string, vars: Vars = siteVars) => renderTemplate({ templatesDir, src, vars, displayRoot: fixtures });

function renderError(src: string, vars: Vars = siteVars): InputError {
  try {
    render(src, vars);
  } catch (error) {
    assert.instance(error, InputError, String(error));
    return error as InputError;
  }
  throw new Error(`${src} rendered without error`);
}

test('renders variables, helpers and partials (the role partial over the shared one)', () => {
  assert.is(
    render('web/site.conf.hbs'),
    [
      '# managed by ploy for example.org',
      'server_name example.org;',
      'listen 80;',
      'ssl on;',
      'level warn;',
      'upstream 10.0.0.1:8080;',
      'upstream 10.0.0.2:8080;',
      'aliases www.example.org example.net;',
      `exec 'echo it'\\''s';`,
      'settings:',
      '  workers: 4',
      '  paths:',
      '    - /a',
      '    - /b',
      'json {"workers":4,"paths":["/a","/b"]}',
      '',
      'fallback none',
      '# end',
      '',
    ].join('\n'),
  );
});

test('no HTML escaping: config files keep & < > " as written', () => {
  assert.match(render('web/site.conf.hbs', { ...siteVars, server: { name: 'a&b<c>"d"' } }), 'server_name a&b<c>"d";');
});

test('an undefined variable names the template file, line, column and the whole path', () => {
  const error = renderError('web/undefined-var.hbs', { server: { port: 80 } });
  assert.equal(error.where, { file: 'templates/web/undefined-var.hbs', line: 3, column: 8 });
  assert.is(error.message, 'templates/web/undefined-var.hbs:3:8: undefined variable "server.nmae"');
  const top = renderError('web/undefined-var.hbs', {});
  assert.is(top.message, 'templates/web/undefined-var.hbs:2:8: undefined variable "server.port"');
});

test('default and if accept undefined variables, even nested under missing objects', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ploy-tpl-'));
  try {
    const file = join(dir, 't.hbs');
    writeFileSync(file, '{{default x "y"}} {{default a.b.c "z"}} {{default n "null"}} [{{default e "empty"}}] {{#if a.b}}yes{{else}}no{{/if}} {{#unless x}}u{{/unless}}');
    assert.is(renderTemplate({ templatesDir, src: file, vars: { a: {}, n: null, e: '' } }), 'y z null [] no u');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a syntax error, an unknown helper or partial and a misused helper are located errors', () => {
  const syntax = renderError('web/bad-syntax.hbs', { x: true });
  assert.is(syntax.message, 'templates/web/bad-syntax.hbs:4: template syntax error: the template ends inside a block: a {{#...}} has no closing {{/...}}');
  assert.is(renderError('web/unknown-helper.hbs').message, 'templates/web/unknown-helper.hbs:1:9: unknown helper "toyaml"');
  assert.match(renderError('web/missing-partial.hbs').message, /^templates\/web\/missing-partial.hbs: unknown partial "nosuchpartial"/);
  assert.is(renderError('web/bad-helper-use.hbs', { text: 'a' }).message, 'templates/web/bad-helper-use.hbs:2:1: indent: the first argument must be a number of spaces: {{indent 4 text}}');
});

test('an error inside a partial names the partial file, not its caller', () => {
  assert.is(renderError('web/calls-broken-partial.hbs').message, 'templates/web/partials/broken.hbs:2:7: undefined variable "not_a_var"');
});

test('a missing template file is an InputError naming it', () => {
  assert.is(renderError('web/nope.hbs').message, 'field "src": template templates/web/nope.hbs not found');
});

test('a Secret renders as its real value (the file needs it)', () => {
  assert.is(render('web/secret.conf.hbs', { token: secret('K10-very-secret'), server: { name: 'a' } }), 'token: K10-very-secret\nserver: a\n');
});

test('helpers: block indent, toJson indent, comparisons, quoting, wrong arity', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ploy-tpl-'));
  try {
    const file = join(dir, 't.hbs');
    const run = (source: string, vars: Vars = {}) => {
      writeFileSync(file, source);
      return renderTemplate({ templatesDir, src: file, vars });
    };
    assert.is(run('{{#indent 4}}a\n\nb{{/indent}}'), '    a\n\n    b');
    assert.is(run('{{toJson v 2}}', { v: { a: 1 } }), '{\n  "a": 1\n}');
    assert.is(run('{{#if (or a b)}}1{{/if}}{{#if (ne a b)}}2{{/if}}{{#if (and a b)}}3{{/if}}', { a: true, b: false }), '12');
    assert.is(run('{{quote p}}', { p: '/srv/my site' }), `'/srv/my site'`);
    assert.is(run('{{toYaml v}}', { v: 'plain' }), 'plain');
    assert.throws(() => run('{{eq a}}', { a: 1 }), /eq: takes 2 arguments, got 1/);
    assert.throws(() => run('{{join l}}', { l: [] }), /join: takes 2 arguments/);
    assert.throws(() => run('{{join l ","}}', { l: 'x' }), /join: the first argument must be a list, got string/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('compiled templates are cached per path and recompiled when the file changes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ploy-tpl-'));
  try {
    const file = join(dir, 't.hbs');
    writeFileSync(file, 'one {{v}}');
    utimesSync(file, 1000, 1000);
    assert.is(renderTemplate({ templatesDir, src: file, vars: { v: 1 } }), 'one 1');
    writeFileSync(file, 'two {{v}}');
    utimesSync(file, 2000, 2000);
    assert.is(renderTemplate({ templatesDir, src: file, vars: { v: 2 } }), 'two 2');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
