/**
 * ploy/module-kit, as a project imports it (the package's subpath export): the module author's
 * names never shadow a role author's name from 'ploy' with something else.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as kit from 'ploy/module-kit';
import * as ploy from 'ploy';
import * as direct from '../../lib/module-kit.ts';

test("'ploy/module-kit' resolves through package.json's exports to lib/module-kit.ts", () => {
  assert.is(kit.defineModule, direct.defineModule);
  assert.is(kit.argCheck, direct.argCheck);
});

test("a name both export is the same thing; the role author's variable accessors are not in the kit", () => {
  const shared = Object.keys(kit).filter((name) => name in ploy);
  for (const name of shared) assert.is((kit as Record<string, unknown>)[name], (ploy as Record<string, unknown>)[name], name);
  for (const accessor of ['requireString', 'optionalString', 'requireBoolean', 'optionalBoolean', 'requireNumber', 'optionalNumber', 'requireStringList', 'optionalStringList', 'requireSecret', 'optionalSecret']) {
    assert.ok(accessor in ploy, `${accessor} is a role author's accessor`);
    assert.not.ok(accessor in kit, `${accessor} would shadow the role author's accessor`);
  }
});

test('argCheck checks name the field, as the built-ins do', () => {
  assert.throws(() => kit.argCheck.object({ pth: '/x' }, ['path']), (e: unknown) => e instanceof kit.ModuleArgsError && e.where?.field === 'pth');
  assert.throws(() => kit.argCheck.absolutePath('x', 'path'), /must be an absolute path, got "x"/);
  assert.is(kit.argCheck.oneOf('a', ['a', 'b'], 'state'), 'a');
  assert.ok(Object.isFrozen(kit.argCheck));
});

test('probe framing: parseProbeOutput and the path probe, as the built-ins use them', () => {
  const facts = kit.parseProbeOutput('dest.type=absent\nk=v=w\nk=2\n');
  assert.equal(kit.readPathState(facts, 'dest'), { type: 'absent' });
  assert.equal(facts.get('k'), ['v=w', '2']);
  assert.match(kit.pathProbeScript('dest', '/etc/a b', { follow: true }), "p='/etc/a b'");
});

test.run();
