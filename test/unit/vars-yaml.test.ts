import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { InputError } from '../../lib/errors.ts';
import { isSecret } from '../../lib/secret.ts';
import { formatYamlPath, parseYaml } from '../../lib/vars/yaml.ts';

/** Scalar → value as PyYAML's safe_load (what Ansible uses) gives it; checked with PyYAML 6. */
const scalars: Array<[text: string, value: unknown]> = [
  ['yes', true],
  ['No', false],
  ['ON', true],
  ['off', false],
  ['true', true],
  ['False', false],
  ['y', 'y'],
  ['n', 'n'],
  ['Y', 'Y'],
  ['0644', 420],
  ['08', '08'],
  ['0800', '0800'],
  ['0', 0],
  ['+12', 12],
  ['1_000', 1000],
  ['0x1F', 31],
  ['0b101', 5],
  ['22:30', 1350],
  ['190:20:30', 685230],
  ['01:30', '01:30'],
  ['1:2:3.5', 3723.5],
  ['1.5', 1.5],
  ['1.', 1],
  ['.5', 0.5],
  ['-.5', '-.5'],
  ['.', '.'],
  ['1.30', 1.3],
  ['1e3', '1e3'],
  ['1.0e3', '1.0e3'],
  ['1.0e+3', 1000],
  ['1.5E-2', 0.015],
  ['.inf', Infinity],
  ['-.Inf', -Infinity],
  ['~', null],
  ['null', null],
  ['Null', null],
  ['v1.30.2+k3s1', 'v1.30.2+k3s1'],
  // PyYAML makes dates; Ansible prints them as written, which is what ploy keeps
  ['2001-12-14', '2001-12-14'],
  ['2001-12-14T10:00:00Z', '2001-12-14T10:00:00Z'],
];

for (const [text, value] of scalars) {
  test(`YAML 1.1 as PyYAML: ${text} → ${String(value)}`, () => {
    assert.equal((parseYaml(`k: ${text}`, 'x.yml').data as { k: unknown }).k, value);
  });
}

test('.nan is NaN', () => {
  assert.ok(Number.isNaN((parseYaml('k: .nan', 'x.yml').data as { k: unknown }).k));
});

test('!secret makes a Secret, !unsafe a plain string', () => {
  const data = parseYaml('a: !secret "s3cr3t-value"\nb: !unsafe "{{ not templated }}"\nc: [!secret x1y]\n', 'x.yml').data as Record<string, unknown>;
  assert.ok(isSecret(data.a));
  assert.is(data.b, '{{ not templated }}');
  assert.ok(isSecret((data.c as unknown[])[0]));
});

test('anchors, aliases and merge keys work as in Ansible', () => {
  const data = parseYaml('base: &b {port: 80, tls: no}\nsite:\n  <<: *b\n  tls: yes\ncopy: *b\n', 'x.yml').data;
  assert.equal(data, { base: { port: 80, tls: false }, site: { port: 80, tls: true }, copy: { port: 80, tls: false } });
});

test('where() gives the YAML path, and the line and column of its key or of its nearest ancestor', () => {
  const source = parseYaml('all:\n  children:\n    web:\n      hosts:\n        - w1\n        - 10.0.0.1\n', 'inv.yml');
  assert.equal(source.where(['all', 'children', 'web']), { file: 'inv.yml', line: 3, column: 5, field: 'all.children.web' });
  assert.equal(source.where(['all', 'children', 'web', 'hosts', 1]), { file: 'inv.yml', line: 6, column: 11, field: 'all.children.web.hosts[1]' });
  assert.equal(source.where(['all', 'children', 'nope', 'x']), { file: 'inv.yml', line: 2, column: 3, field: 'all.children.nope.x' });
  assert.equal(source.where([]), { file: 'inv.yml', line: 1, column: 1 });
  assert.is(formatYamlPath(['all', 'hosts', '10.0.0.5', "it's"]), "all.hosts['10.0.0.5']['it\\'s']");
});

test('errors are InputErrors with file:line:col', () => {
  const cases: Array<[text: string, message: string]> = [
    ['a: 1\nb: [1, 2\n', 'x.yml:3:1: invalid YAML: '],
    ['a: "open\n', 'x.yml:2:1: invalid YAML: Missing closing "quote'],
    ['a: 1\n---\nb: 2\n', 'x.yml:2:1: invalid YAML: a second document (---) here; a file must hold one YAML document'],
    ['a: !!timestamp 2001-12-14\n', 'x.yml:1:4: invalid YAML: Unresolved tag: tag:yaml.org,2002:timestamp'],
  ];
  for (const [text, message] of cases) {
    try {
      parseYaml(text, 'x.yml');
      assert.unreachable(`should refuse ${JSON.stringify(text)}`);
    } catch (error) {
      assert.instance(error, InputError);
      assert.ok((error as Error).message.startsWith(message), (error as Error).message);
    }
  }
});

test.run();
