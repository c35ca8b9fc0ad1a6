import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../../lib/errors.ts';
import { isSecret } from '../../lib/secret.ts';
import { parseExtraVar, parseExtraVars } from '../../lib/vars/extra-vars.ts';
import { beforeAll } from '../support/before-all.ts';

let dir = '';

beforeAll(test, async () => {
  dir = await mkdtemp(join(tmpdir(), 'ploy-extra-vars-'));
  await writeFile(join(dir, 'vars.yml'), 'k3s_version: v1.30.2+k3s1\nreplicas: 3\nenable_tls: yes\nregistry_password: !secret "r3g-pass"\n');
  await writeFile(join(dir, 'vars.json'), '{"replicas": 5, "zones": ["a", "b"]}');
  await writeFile(join(dir, 'broken.yml'), 'a: 1\nb:\n  - x\n  y: 2\n');
  await writeFile(join(dir, 'list.yml'), '- a\n- b\n');
});

test.after(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function refusal(value: string): Promise<string> {
  try {
    await parseExtraVar(value, { cwd: dir });
  } catch (error) {
    assert.instance(error, InputError);
    return (error as Error).message;
  }
  throw new Error(`-e ${value} should have been refused`);
}

const keyValues: Array<[value: string, vars: Record<string, string>]> = [
  ['a=1 b=two', { a: '1', b: 'two' }],
  ['msg="hello world" x=1', { msg: 'hello world', x: '1' }],
  ['msg=\'it is\' y=""', { msg: 'it is', y: '' }],
  ['url=http://h/?a=b', { url: 'http://h/?a=b' }],
  ['flag=yes n=08', { flag: 'yes', n: '08' }],
  ['x="a\\"b"', { x: 'a"b' }],
  ['x=a\\nb', { x: 'a\nb' }],
  ['x=a"b"', { x: 'a"b"' }],
  ['  spaced=1\t other=2  ', { spaced: '1', other: '2' }],
];

for (const [value, vars] of keyValues) {
  test(`-e ${value}: key=value words, every value a string`, async () => {
    assert.equal(await parseExtraVar(value), vars);
  });
}

test('-e {JSON} and YAML flow mappings keep their types', async () => {
  assert.equal(await parseExtraVar('{"replicas": 3, "tls": true, "zones": ["a", "b"]}'), { replicas: 3, tls: true, zones: ['a', 'b'] });
  assert.equal(await parseExtraVar('{replicas: 3, tls: yes}'), { replicas: 3, tls: true });
});

test('-e @file reads YAML or JSON relative to cwd, !secret included', async () => {
  const vars = await parseExtraVar('@vars.yml', { cwd: dir });
  assert.equal({ ...vars, registry_password: undefined }, { k3s_version: 'v1.30.2+k3s1', replicas: 3, enable_tls: true, registry_password: undefined });
  assert.ok(isSecret(vars.registry_password));
  assert.equal(await parseExtraVar(`@${join(dir, 'vars.json')}`), { replicas: 5, zones: ['a', 'b'] });
});

test('several -e merge left to right, a later one replacing a whole key', async () => {
  const vars = await parseExtraVars(['@vars.yml', 'replicas=7', '@vars.json', '{"zones": ["c"]}', ''], { cwd: dir });
  assert.is(vars.replicas, 5);
  assert.equal(vars.zones, ['c']);
  assert.is(vars.k3s_version, 'v1.30.2+k3s1');
});

test('connection passwords given with -e are Secrets', async () => {
  const vars = await parseExtraVar('ansible_become_password=hunter2-sudo other=plain');
  assert.ok(isSecret(vars.ansible_become_password));
  assert.is(vars.other, 'plain');
  assert.is(JSON.stringify(vars), '{"ansible_become_password":"***","other":"plain"}');
});

test('a file that does not parse: its name, line and column', async () => {
  assert.ok((await refusal('@broken.yml')).startsWith('broken.yml:4:3: invalid YAML: '));
  assert.ok((await refusal('{"a": 1')).startsWith('--extra-vars:1:8: invalid YAML: '));
});

test('refused with a reason', async () => {
  assert.is(await refusal('@missing.yml'), 'missing.yml: cannot read: ENOENT');
  assert.is(await refusal('@list.yml'), 'list.yml: the file must hold a mapping of variable names to values, got a list');
  assert.is(await refusal('["a"]'), 'field "--extra-vars": a {...} value must be a mapping of variable names to values, got a list');
  assert.is(await refusal('./vars.yml'), 'field "--extra-vars": "./vars.yml" looks like a file name: write -e @./vars.yml to read variables from it');
  assert.is(await refusal('@'), 'field "--extra-vars": "@" must be followed by a file name, e.g. -e @vars.yml');
  assert.is(await refusal('a=1 lonely'), 'field "--extra-vars": expected key=value, got "lonely"');
  assert.is(await refusal('my-var=1'), 'field "--extra-vars": "my-var" is not a valid variable name (letters, digits and _, not starting with a digit)');
  assert.is(await refusal('msg="unclosed'), 'field "--extra-vars": unclosed " quote (opened in word 1)');
});

test.run();
