import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { formatFatalError } from '../../lib/cli/format-error.ts';
import { InputError } from '../../lib/errors.ts';
import { HumanReporter } from '../../lib/report/human.ts';
import { JsonReporter } from '../../lib/report/json.ts';
import { secret } from '../../lib/secret.ts';
import { FakeStream, scriptedRun } from '../fixtures/report-events.ts';

const TOKEN = 'K10-s3cr3t-token';
const QUOTED = 'pa"ss\\word';
secret(TOKEN);
secret(QUOTED);

const leaks = (text: string): boolean => text.includes(TOKEN) || text.includes(QUOTED) || text.includes(JSON.stringify(QUOTED).slice(1, -1));

test('the scripted run really carries the secret (so the tests below can fail)', () => {
  assert.ok(JSON.stringify(scriptedRun(TOKEN)).includes(TOKEN));
});

for (const [label, tty] of [
  ['plain', false],
  ['terminal', true],
] as const) {
  test(`human reporter at -vvv with --diff (${label}) never prints a secret`, async () => {
    for (const value of [TOKEN, QUOTED]) {
      const out = new FakeStream(tty);
      const err = new FakeStream(tty);
      const reporter = new HumanReporter({ out, err, verbosity: 3, diff: true, env: {}, statusIntervalMs: 0 });
      reporter.emit({ type: 'task-start', host: 'h', role: 'r', task: `login with ${value}`, module: 'command' });
      await new Promise((done) => setTimeout(done, 10));
      for (const event of scriptedRun(value)) reporter.emit(event);
      reporter.emit({ type: 'host-failed', host: 'x', role: 'r', message: `boom ${value}`, stack: `Error: boom ${value}\n    at x` });
      reporter.close();
      assert.not.ok(leaks(out.text), out.text);
      assert.not.ok(leaks(err.text), err.text);
      assert.ok(out.text.includes('token is ***'), 'command output masked, not dropped');
      assert.ok(out.text.includes('+token: ***'), 'diff masked');
      assert.ok(out.text.includes('--token ***'), 'command echo masked');
      assert.ok(out.text.includes('missing variable app_token (***)'), 'error message masked');
      assert.ok(err.text.includes('deprecated (***)'), 'warning masked');
    }
  });
}

test('json reporter never prints a secret, even one JSON would escape', () => {
  for (const value of [TOKEN, QUOTED]) {
    const out = new FakeStream();
    const err = new FakeStream();
    const reporter = new JsonReporter({ out, err });
    for (const event of scriptedRun(value)) reporter.emit(event);
    reporter.close();
    assert.not.ok(leaks(out.text), out.text);
    assert.not.ok(leaks(err.text), err.text);
    const doc = JSON.parse(out.text) as { failures: { message: string }[] };
    assert.is(doc.failures[0]?.message, 'missing variable app_token (***)\nin templates/web/app.conf.hbs');
  }
});

test('fatal errors are masked, with and without a stack', () => {
  const plain = new Error(`connect failed for ${TOKEN}`);
  for (const verbosity of [0, 3]) {
    assert.not.ok(leaks(formatFatalError(plain, verbosity)));
    assert.not.ok(leaks(formatFatalError(new InputError('bad', {}, { cause: plain }), verbosity)));
    assert.not.ok(leaks(formatFatalError(`thrown string ${QUOTED}`, verbosity)));
  }
});

test.run();
