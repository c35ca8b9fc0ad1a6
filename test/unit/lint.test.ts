/**
 * The lint catches what the type checker lets through: a task called without `await`, and an async
 * callback where nothing awaits it. Runs ESLint with the project's own config on a fixture role.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

const root = fileURLToPath(new URL('../..', import.meta.url));

test('a floating t.copy(...) and an async forEach callback fail the lint, at their lines', async () => {
  const eslint = new ESLint({ cwd: root, ignore: false });
  const [result] = await eslint.lintFiles([join(root, 'test/fixtures/lint/floating-task-role.ts')]);
  const found = (result?.messages ?? []).map((m) => `${m.line} ${m.ruleId ?? m.message}`);
  assert.equal(found, ['10 @typescript-eslint/no-floating-promises', '12 @typescript-eslint/no-misused-promises']);
});

test('the fixture is outside the project lint run, which must pass', async () => {
  const eslint = new ESLint({ cwd: root });
  assert.ok(await eslint.isPathIgnored(join(root, 'test/fixtures/lint/floating-task-role.ts')));
  assert.not.ok(await eslint.isPathIgnored(join(root, 'roles/k3s-server/role.ts')));
});

test.run();
