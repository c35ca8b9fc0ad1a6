/**
 * ploy/module-kit, as a project imports it (the package's subpath export): the module author's
 * names never shadow a role author's name from 'ploy' with something else.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as kit from 'ploy/module-kit';
import * as ploy from 'ploy';
import * as direct from '../../lib/module-kit.ts';
import { iniFile, iniFileArgs } from '../../examples/ini-file/ini-file.ts';

test("'ploy/module-kit' resolves through package.json's exports to lib/module-kit.ts", () => {
  assert.is(kit.defineModule, direct.defineModule);
  assert.is(kit.argCheck, direct.argCheck);
});

test("a name both export is the same thing; the role author's variable accessors are not in the kit", () => {
  const shared = Object.keys(kit).filter((name) => name in ploy);
  for (const name of shared) assert.is((kit as Record<string, unknown>)[name], (ploy as Record<string, unknown>)[name], name);
  for (const accessor of [
    'requireString',
    'optionalString',
    'requireBoolean',
    'optionalBoolean',
    'requireNumber',
    'optionalNumber',
    'requireStringList',
    'optionalStringList',
    'requireSecret',
    'optionalSecret',
  ]) {
    assert.ok(accessor in ploy, `${accessor} is a role author's accessor`);
    assert.not.ok(accessor in kit, `${accessor} would shadow the role author's accessor`);
  }
});

test('argCheck checks name the field, as the built-ins do', () => {
  assert.throws(
    () => kit.argCheck.object({ pth: '/x' }, ['path']),
    (e: unknown) => e instanceof kit.ModuleArgsError && e.where?.field === 'pth',
  );
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

test("argsSchema: arguments declared once give validate() with the built-ins' messages, and the reference text", () => {
  const schema = kit.argsSchema(
    {
      path: kit.required('string', kit.argCheck.absolutePath, 'The file.'),
      state: kit.optional(kit.choiceType(kit.PRESENCE), kit.choice(kit.PRESENCE), 'present: the file is there; absent: it is not.', "'present'"),
      ...kit.fileAttributeArgs,
    },
    {
      summary: 'A test module.',
      checkMode: 'Reads; writes nothing.',
      across(args) {
        if (args.state === 'absent' && args.mode !== undefined) throw new kit.ModuleArgsError('is not used with state absent', { field: 'mode' });
      },
    },
  );
  const args: kit.SchemaArgs<typeof schema> = { path: '/etc/x', mode: '0600' };
  assert.is(schema.validate(args), args);
  assert.equal(Object.keys(schema.args), ['path', 'state', 'owner', 'group', 'mode']);
  assert.equal(schema.doc, { summary: 'A test module.', checkMode: 'Reads; writes nothing.' });
  assert.is(schema.args.state?.type, "'present' | 'absent'");
  assert.is(schema.args.state?.default, "'present'");
  assert.is(schema.args.path?.required, true);
  const rejects = (bad: unknown, field: string, message: RegExp) =>
    assert.throws(
      () => schema.validate(bad as typeof args),
      (e: unknown) => e instanceof kit.ModuleArgsError && e.where?.field === field && message.test(e.message),
    );
  rejects({ mode: '0600' }, 'path', /must be an absolute path, got undefined/);
  rejects({ path: '/x', pth: '/x' }, 'pth', /unknown argument \(known: path, state, owner, group, mode\)/);
  rejects({ path: '/x', state: 'gone' }, 'state', /must be one of 'present', 'absent', got "gone"/);
  rejects({ path: '/x', mode: 644 }, 'mode', /quote it/);
  rejects({ path: '/x', owner: 0 }, 'owner', /write a numeric id as '0'/);
  rejects({ path: '/x', state: 'absent', mode: '0600' }, 'mode', /not used with state absent/);
});

test('the example module declares its arguments with the kit: schema and validate are the same declaration', () => {
  assert.is(iniFile.schema, iniFileArgs);
  assert.is(iniFile.validate, iniFileArgs.validate);
  for (const [name, spec] of Object.entries(iniFileArgs.args)) assert.ok(spec.doc.length > 0, `${name} has reference text`);
});

test.run();
