import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { inspect } from 'node:util';
import { mask, secret, SecretInStringError } from '../../lib/secret.ts';
import { quote, sh } from '../../lib/shell.ts';

test('a secret prints as *** as JSON and when inspected', () => {
  const s = secret('hunter2-token');
  assert.is(JSON.stringify({ s }), '{"s":"***"}');
  assert.is(inspect({ s }), '{ s: *** }');
  assert.is(s.reveal(), 'hunter2-token');
});

test('a secret put into a string is an error that says how to pass it, never a silent ***', () => {
  const s = secret('hunter2-token');
  for (const turn of [() => `--token ${s as unknown as string}`, () => String(s), () => 'x' + (s as unknown as string), () => s.toString()]) {
    const error = (() => {
      try {
        turn();
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    assert.instance(error, SecretInStringError);
    assert.match((error as Error).message, 'sh`...`');
    assert.not.match((error as Error).message, 'hunter2');
  }
  assert.is(sh`k3s --token ${s}`, 'k3s --token hunter2-token');
});

test('mask scrubs known secret values from any text', () => {
  secret('K10abcdef::server:xyz');
  assert.is(mask('token=K10abcdef::server:xyz done'), 'token=*** done');
});

test('quote leaves safe words bare and single-quotes the rest', () => {
  assert.is(quote('/etc/hosts'), '/etc/hosts');
  assert.is(quote(''), "''");
  assert.is(quote("it's"), `'it'\\''s'`);
  assert.is(quote('a b;rm -rf /'), `'a b;rm -rf /'`);
});

test('sh quotes each interpolated value and expands arrays', () => {
  assert.is(sh`ls ${['-l', 'my dir']} ${'x'}`, `ls -l 'my dir' x`);
  assert.is(sh`echo ${secret('p@ss word')}`, `echo 'p@ss word'`);
});

test.run();
