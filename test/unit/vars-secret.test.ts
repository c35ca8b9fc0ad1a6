import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fileURLToPath } from 'node:url';
import { inspect } from 'node:util';
import { InputError } from '../../lib/errors.ts';
import { loadInventory } from '../../lib/inventory/load.ts';
import { isSecret, type Secret } from '../../lib/secret.ts';
import { hostVars } from '../../lib/vars/merge.ts';
import { markSecrets } from '../../lib/vars/secrets.ts';

const fixtures = fileURLToPath(new URL('../fixtures/inventory/', import.meta.url));
const inventory = await loadInventory(`${fixtures}secrets/hosts.yml`);

test('!secret in an inventory gives a Secret that never prints', () => {
  const vars = inventory.host('web1').vars;
  assert.ok(isSecret(vars.k3s_token));
  assert.is((vars.k3s_token as Secret).reveal(), 'K10tokentokentoken::server:abcdef');
  for (const text of [JSON.stringify(vars), inspect(vars), inspect(vars, { depth: 5, showHidden: true })]) {
    assert.not.match(text, 'K10tokentoken');
  }
  assert.match(JSON.stringify(vars), '"k3s_token":"***"');
});

test('connection passwords are always Secrets, a numeric one too', () => {
  const web1 = inventory.host('web1').vars;
  assert.ok(isSecret(web1.ansible_become_password));
  assert.ok(isSecret(web1.ansible_password));
  assert.is((web1.ansible_password as Secret).reveal(), '123456');
  assert.ok(isSecret(inventory.host('web2').vars.ansible_ssh_pass));
  for (const text of [JSON.stringify(web1), inspect(web1)]) {
    assert.not.match(text, 'sudo-pass-web1');
    assert.not.match(text, '123456');
  }
});

test('markSecrets wraps the named variables and leaves the rest', () => {
  const vars = markSecrets(inventory.host('web1').vars, ['registry_password', 'not_set']);
  assert.ok(isSecret(vars.registry_password));
  assert.is((vars.registry_password as Secret).reveal(), 'plain-but-marked-later');
  assert.not.ok('not_set' in vars);
  assert.is(typeof inventory.host('web1').vars.registry_password, 'string', 'the input is not changed');
});

test('markSecrets refuses a list or mapping, naming the variable', () => {
  try {
    markSecrets({ db_password: ['a'] }, ['db_password'], 'web1');
    assert.unreachable('should throw');
  } catch (error) {
    assert.instance(error, InputError);
    assert.is((error as Error).message, 'host web1: variable "db_password" is a secret and must be a string, got a list');
  }
});

test('a secret value is masked in error messages that quote it', () => {
  const error = new InputError(`cannot use ${(inventory.host('web1').vars.k3s_token as Secret).reveal()} here`);
  assert.is(error.message, 'cannot use *** here');
});

test('hostVars keeps connection passwords secret whichever layer set them', () => {
  const merged = hostVars({ ansible_become_password: 'from-defaults' }, {}, { ansible_password: 'from-extra' });
  assert.ok(isSecret(merged.ansible_become_password));
  assert.ok(isSecret(merged.ansible_password));
});

test.run();
