import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { InputError } from '../../lib/errors.ts';
import { isSecret, secret } from '../../lib/secret.ts';
import { optionalBoolean, optionalNumber, optionalString, optionalStringList, requireBoolean, requireNumber, requireSecret, requireString, requireStringList } from '../../lib/vars/accessors.ts';

const vars = {
  name: 'demo',
  empty: '',
  unset_null: null,
  port: 6443,
  port_text: ' 6443 ',
  ratio: '0.5',
  version_number: 1.3,
  flag: true,
  zones: ['a', 'b'],
  mixed: ['a', 2],
  token: secret('K10-token-value'),
  password_text: 'plain-pass',
  settings: { a: 1 },
};

function messageOf(read: () => unknown): string {
  try {
    read();
  } catch (error) {
    assert.instance(error, InputError);
    return (error as Error).message;
  }
  throw new Error('should have thrown');
}

test('requireString / optionalString', () => {
  assert.is(requireString(vars, 'name', 'web1'), 'demo');
  assert.is(requireString(vars, 'empty', 'web1'), '');
  assert.is(optionalString(vars, 'missing', 'web1'), undefined);
  assert.is(optionalString(vars, 'unset_null', 'web1', 'fallback'), 'fallback');
  assert.is(
    messageOf(() => requireString(vars, 'missing', 'web1')),
    'host web1: variable "missing" is not set (set it in the inventory, or with -e missing=...)',
  );
  assert.is(
    messageOf(() => requireString(vars, 'unset_null', 'web1')),
    'host web1: variable "unset_null" is not set (set it in the inventory, or with -e unset_null=...)',
  );
  assert.is(
    messageOf(() => requireString(vars, 'version_number', 'web1')),
    'host web1: variable "version_number" must be a string, got a number (quote it in YAML)',
  );
  assert.is(
    messageOf(() => optionalString(vars, 'settings', 'web1')),
    'host web1: variable "settings" must be a string, got a mapping',
  );
});

test('a Secret is not handed out as a plain string', () => {
  assert.is(
    messageOf(() => requireString(vars, 'token', 'web1')),
    'host web1: variable "token" must be a plain string, got a secret (read it with requireSecret)',
  );
});

test('requireNumber / optionalNumber accept numbers and numeric strings (-e gives strings)', () => {
  assert.is(requireNumber(vars, 'port', 'web1'), 6443);
  assert.is(requireNumber(vars, 'port_text', 'web1'), 6443);
  assert.is(requireNumber(vars, 'ratio', 'web1'), 0.5);
  assert.is(optionalNumber(vars, 'missing', 'web1', 22), 22);
  assert.is(
    messageOf(() => requireNumber(vars, 'name', 'web1')),
    'host web1: variable "name" must be a number, got a string',
  );
  assert.is(
    messageOf(() => requireNumber(vars, 'flag', 'web1')),
    'host web1: variable "flag" must be a number, got a boolean',
  );
});

const booleans: Array<[value: unknown, expected: boolean]> = [
  [true, true],
  [false, false],
  ['yes', true],
  ['No', false],
  ['ON', true],
  ['off', false],
  ['true', true],
  ['FALSE', false],
  ['1', true],
  ['0', false],
  [1, true],
  [0, false],
  ['y', true],
  ['n', false],
  [' t ', true],
  ['f', false],
];

test('optionalBoolean / requireBoolean accept Ansible booleans', () => {
  for (const [value, expected] of booleans) {
    assert.is(optionalBoolean({ b: value }, 'b', 'web1'), expected, `${JSON.stringify(value)}`);
    assert.is(requireBoolean({ b: value }, 'b', 'web1'), expected, `${JSON.stringify(value)}`);
  }
  assert.is(optionalBoolean(vars, 'missing', 'web1'), undefined);
  assert.is(optionalBoolean(vars, 'missing', 'web1', true), true);
  assert.is(
    messageOf(() => optionalBoolean({ b: 'maybe' }, 'b', 'web1')),
    'host web1: variable "b" must be a boolean (true/false, yes/no, on/off, 1/0), got a string',
  );
  assert.is(
    messageOf(() => optionalBoolean({ b: 2 }, 'b', 'web1')),
    'host web1: variable "b" must be a boolean (true/false, yes/no, on/off, 1/0), got a number',
  );
});

test('requireStringList / optionalStringList', () => {
  assert.equal(requireStringList(vars, 'zones', 'web1'), ['a', 'b']);
  assert.equal(optionalStringList(vars, 'missing', 'web1', []), []);
  assert.is(
    messageOf(() => requireStringList(vars, 'mixed', 'web1')),
    'host web1: variable "mixed[1]" must be a string, got a number',
  );
  assert.is(
    messageOf(() => requireStringList(vars, 'name', 'web1')),
    'host web1: variable "name" must be a list of strings, got a string (with -e, pass a list as JSON: -e \'{"name": ["a", "b"]}\')',
  );
});

test('requireSecret: a marked secret as is, a plain string wrapped', () => {
  assert.is(requireSecret(vars, 'token', 'web1').reveal(), 'K10-token-value');
  const wrapped = requireSecret(vars, 'password_text', 'web1');
  assert.ok(isSecret(wrapped));
  assert.is(JSON.stringify(wrapped), '"***"');
});

test('where: a host name, or a file/task location', () => {
  assert.is(
    messageOf(() => requireString({}, 'x', { host: 'db1', task: 'write config' })),
    'host db1, task "write config": variable "x" is not set (set it in the inventory, or with -e x=...)',
  );
  assert.is(
    messageOf(() => requireString({}, 'x', { file: 'roles/k3s.ts' })),
    'roles/k3s.ts: variable "x" is not set (set it in the inventory, or with -e x=...)',
  );
});

test('messages never carry the value, which may be an unmarked password', () => {
  const message = messageOf(() => requireNumber({ db_pass: 'correct-horse-battery' }, 'db_pass', 'web1'));
  assert.not.match(message, 'correct-horse');
});

test.run();
