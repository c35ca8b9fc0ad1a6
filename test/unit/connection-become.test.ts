import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash, randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { BecomeDialog, BecomeError, type BecomeFailure } from '../../lib/connection/become.ts';
import { becomeWrap } from '../../lib/connection/command-line.ts';
import { LocalConnection } from '../../lib/connection/local.ts';
import { secret } from '../../lib/secret.ts';
import { beforeAll } from '../support/before-all.ts';

const fakeSudoDir = fileURLToPath(new URL('../fixtures/fake-sudo', import.meta.url));
const savedPath = process.env['PATH'];

// uvu runs every unit file in one process: the stand-in sudo is on PATH only while this file runs.
beforeAll(test, () => {
  process.env['PATH'] = `${fakeSudoDir}:${savedPath}`;
});

test.after(() => {
  process.env['PATH'] = savedPath;
  delete process.env['FAKE_SUDO_PASSWORD'];
});

function dialogWith(password?: string) {
  const wrap = becomeWrap('alice');
  const sent: string[] = [];
  const failures: BecomeFailure[] = [];
  let ready = 0;
  const dialog = new BecomeDialog(wrap, password === undefined ? undefined : secret(password), {
    sendPassword: (bytes) => sent.push(bytes),
    ready: () => ready++,
    fail: (failure) => failures.push(failure),
  });
  return { wrap, dialog, sent, failures, ready: () => ready };
}

test('the dialog answers the prompt once, then passes output after the marker through, even split across chunks', () => {
  const { wrap, dialog, sent, ready } = dialogWith('pw-1');
  const prompt = Buffer.from(wrap.prompt);
  assert.is(dialog.stderr(prompt.subarray(0, 5)).length, 0);
  assert.equal(sent, []);
  dialog.stderr(prompt.subarray(5));
  assert.equal(sent, ['pw-1\n']);
  const marker = `${wrap.marker}\n`;
  const out1 = dialog.stdout(Buffer.from(marker.slice(0, 10)));
  assert.is(out1.length, 0);
  assert.is(ready(), 0);
  const out2 = dialog.stdout(Buffer.from(`${marker.slice(10)}hello`));
  assert.is(out2.toString(), 'hello');
  assert.is(ready(), 1);
  assert.is(dialog.stderr(Buffer.from(`${marker}warning\n`)).toString(), 'warning\n');
  assert.is(dialog.stdout(Buffer.from(marker)).toString(), marker, "a second marker is the command's own output");
  assert.is(ready(), 1);
});

test('a second prompt means a wrong password; a prompt with no password set fails at once', () => {
  const wrong = dialogWith('pw-1');
  wrong.dialog.stderr(Buffer.from(`${wrong.wrap.prompt}Sorry, try again.\n`));
  wrong.dialog.stderr(Buffer.from(wrong.wrap.prompt));
  assert.equal(wrong.failures, [{ kind: 'wrong-password' }]);
  assert.is(wrong.sent.length, 1);

  const none = dialogWith();
  none.dialog.stderr(Buffer.from(none.wrap.prompt));
  assert.equal(none.failures, [{ kind: 'no-password' }]);
  assert.equal(none.sent, []);
});

test("become without a password: output is the command's only, exit code kept", async () => {
  delete process.env['FAKE_SUDO_PASSWORD'];
  const local = new LocalConnection('ctl');
  const result = await local.exec('echo out; echo err >&2; exit 3', { become: { user: 'root' } });
  assert.equal(result, { code: 3, stdout: 'out\n', stderr: 'err\n', timedOut: false });
});

test('become with a password: stdin reaches the command intact, after sudo read the password', async () => {
  process.env['FAKE_SUDO_PASSWORD'] = 'local-sudo-pw';
  const local = new LocalConnection('ctl');
  const data = randomBytes(256 * 1024).toString('base64');
  const result = await local.exec('sha256sum', { become: { user: 'root', password: secret('local-sudo-pw') }, stdin: data });
  assert.is(result.code, 0, result.stderr);
  assert.is(result.stdout, `${createHash('sha256').update(data).digest('hex')}  -\n`);
  assert.is(result.stderr, '', 'the prompt is not part of the output');
});

test('a wrong become password is a BecomeError naming host, user and var, without the password', async () => {
  process.env['FAKE_SUDO_PASSWORD'] = 'right-pw-xyz';
  const local = new LocalConnection('ctl');
  try {
    await local.exec('echo should-not-run', { become: { user: 'alice', password: secret('wrong-pw-xyz') } });
    assert.unreachable('should fail');
  } catch (error) {
    assert.instance(error, BecomeError);
    const message = (error as Error).message;
    assert.match(message, /ctl: sudo rejected the become password for alice/);
    assert.match(message, /ansible_become_password/);
    assert.not.match(message, /wrong-pw-xyz/);
    assert.not.match(JSON.stringify((error as BecomeError).result), /should-not-run\n/);
  }
});

test('sudo asking for a password when none is set is a clear BecomeError', async () => {
  process.env['FAKE_SUDO_PASSWORD'] = 'right-pw-xyz';
  const local = new LocalConnection('ctl');
  try {
    await local.exec('true', { become: { user: 'alice' } });
    assert.unreachable('should fail');
  } catch (error) {
    assert.instance(error, BecomeError);
    assert.match((error as Error).message, /sudo asked for a password to become alice and none is set for host ctl \(ansible_become_password\)/);
  }
});

test('sudo failing on its own (unknown user) is a BecomeError carrying what sudo said', async () => {
  delete process.env['FAKE_SUDO_PASSWORD'];
  const local = new LocalConnection('ctl');
  try {
    await local.exec('true', { become: { user: 'nobody-here' } });
    assert.unreachable('should fail');
  } catch (error) {
    assert.instance(error, BecomeError);
    assert.match((error as Error).message, /could not run the command as nobody-here: sudo: unknown user nobody-here/);
  }
});

test('a timeout under become still kills the command and reports -1', async () => {
  delete process.env['FAKE_SUDO_PASSWORD'];
  const local = new LocalConnection('ctl');
  const result = await local.exec('echo started; sleep 20', { become: { user: 'root' }, timeoutMs: 300 });
  assert.is(result.code, -1);
  assert.is(result.stdout, 'started\n');
  assert.match(result.stderr, /timed out after 300 ms/);
});

test.run();
