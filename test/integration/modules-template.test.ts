import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { rejects } from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InputError } from '../../lib/errors.ts';
import { template, type TemplateArgs } from '../../lib/modules/template.ts';
import { secret } from '../../lib/secret.ts';
import type { Vars } from '../../lib/vars.ts';
import { localModuleHost, type ModuleHost, type RunOptions } from '../support/module-host.ts';

// The fixtures folder is laid out as a project: its templates/ holds the test templates.
const projectDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');

const hostVars: Vars = { token: secret('K10-template-secret'), server: { name: 'h1.example' } };

let dir = '';
let h: ModuleHost;
test.before.each(() => {
  dir = mkdtempSync(join(tmpdir(), 'ploy-template-'));
  h = localModuleHost({ projectDir, vars: hostVars });
});
test.after.each(() => rmSync(dir, { recursive: true, force: true }));

const run = (args: TemplateArgs, options: RunOptions = {}) => h.run(template, args, options);

test("renders with the host's vars (extra vars over them) and writes like copy; then ok in one channel", async () => {
  const dest = join(dir, 'k3s.yaml');
  const args: TemplateArgs = { src: 'web/secret.conf.hbs', dest, mode: '0600', vars: { server: { name: 'override' } } };
  const result = await run(args);
  assert.is(result.status, 'changed');
  assert.is(readFileSync(dest, 'utf8'), 'token: K10-template-secret\nserver: override\n');
  assert.is(statSync(dest).mode & 0o7777, 0o600);
  for (const { command } of h.sent) assert.not.match(command, 'K10-template-secret');
  const before = h.connection.channelsOpened;
  assert.is((await run(args)).status, 'ok');
  assert.is(h.connection.channelsOpened - before, 1);
});

test('drift: check mode shows a diff with the secret masked and alters nothing', async () => {
  const dest = join(dir, 'k3s.yaml');
  const args: TemplateArgs = { src: 'web/secret.conf.hbs', dest };
  await run(args);
  writeFileSync(dest, 'token: K10-template-secret\nserver: drifted\n');
  const planned = await run(args, { check: true, diff: true });
  assert.is(planned.status, 'changed');
  assert.match(planned.diff ?? '', '+server: h1.example');
  assert.match(planned.diff ?? '', ' token: ***');
  assert.not.match(planned.diff ?? '', 'K10-template-secret');
  assert.is(readFileSync(dest, 'utf8'), 'token: K10-template-secret\nserver: drifted\n');
});

test('an undefined variable fails before the host is touched, naming file, line and variable', async () => {
  await rejects(
    () => run({ src: 'web/undefined-var.hbs', dest: join(dir, 'x') }, { vars: { server: { port: 1 } } }),
    (error: Error) => error instanceof InputError && error.message === 'templates/web/undefined-var.hbs:3:8: undefined variable "server.nmae"',
  );
  await rejects(() => run({ src: 'web/none.hbs', dest: join(dir, 'x') }), /template templates\/web\/none.hbs not found/);
  await rejects(() => run({ src: 'web/secret.conf.hbs', dest: 'relative' }), /field "dest"/);
  assert.is(h.connection.channelsOpened, 0);
});

test.run();
