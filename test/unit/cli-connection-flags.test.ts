/**
 * -u, --private-key, -b, --become-user and -K as connection defaults under each host's own vars,
 * the -K prompt on a terminal and on a pipe, and --detailed-exitcode's exit code and JSON keys.
 * (The same flags run for real on a test-bed host in test/integration/cli-flags.test.ts.)
 * Passwords here are odd strings: a Secret's value is masked in every later output of the
 * process, and uvu runs every test file in one.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { askPassword, PromptInterrupted, type PasswordInput } from '../../lib/cli/ask-password.ts';
import { connectionDefaults } from '../../lib/cli/connection-flags.ts';
import { CHANGES_PENDING_EXIT_CODE, checkDetailedExitCodeFlag, detailedExitCode } from '../../lib/cli/detailed-exit-code.ts';
import { connectionSpecFor } from '../../lib/connection/spec.ts';
import { sshConfigLookup } from '../../lib/connection/ssh-config.ts';
import { inventoryFromYaml } from '../../lib/inventory/load.ts';
import { JsonReporter } from '../../lib/report/json.ts';
import type { HostStats } from '../../lib/runner/events.ts';
import { isSecret, secret } from '../../lib/secret.ts';
import { inputError } from '../support/input-error.ts';

const inventory = inventoryFromYaml(
  `
all:
  hosts:
    plain: {}
    own:
      ansible_user: deploy
      ansible_ssh_private_key_file: /keys/own
      ansible_become: false
      ansible_become_user: app
      ansible_become_password: pw-own-7c1e
`,
  'inventory/test.yml',
);
const sshConfig = sshConfigLookup('Host *\n  User fromconfig\n  IdentityFile /keys/config\n', 'cfg');
const spec = (host: string, defaults = {}) => connectionSpecFor(inventory, host, inventory.host(host).vars, sshConfig, defaults);

test("the flags fill what a host leaves unset, over the ssh config; a host's vars win, as in Ansible", () => {
  const defaults = { user: 'admin', privateKeyFile: '/keys/flag', become: true, becomeUser: 'ops', becomePassword: secret('pw-from-flag-7c1e') };
  const plain = spec('plain', defaults);
  assert.equal([plain.endpoint.user, plain.endpoint.privateKeyFile, plain.become, plain.becomeUser, plain.becomePassword?.reveal()], ['admin', '/keys/flag', true, 'ops', 'pw-from-flag-7c1e']);
  const own = spec('own', defaults);
  assert.equal([own.endpoint.user, own.endpoint.privateKeyFile, own.become, own.becomeUser, own.becomePassword?.reveal()], ['deploy', '/keys/own', false, 'app', 'pw-own-7c1e']);
  const none = spec('plain');
  assert.equal([none.endpoint.user, none.endpoint.privateKeyFile, none.become, none.becomeUser, none.becomePassword], ['fromconfig', '/keys/config', false, 'root', undefined]);
});

test('--private-key is taken from the current directory or ~, and must exist; -K asks only when the caller can', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ploy-key-'));
  writeFileSync(join(dir, 'id_test'), 'key');
  const flags = { user: undefined, privateKey: 'id_test', become: false, becomeUser: undefined, askBecomePass: true };
  let asked = 0;
  const ask = async () => (asked++, secret('pw-asked-7c1e'));
  const defaults = await connectionDefaults(flags, dir, ask);
  assert.equal([defaults.privateKeyFile, defaults.becomePassword?.reveal(), asked], [join(dir, 'id_test'), 'pw-asked-7c1e', 1]);
  assert.equal(await connectionDefaults({ ...flags, privateKey: undefined }, dir), {}, 'the listing modes pass no ask: nothing is asked');
  const missing = await connectionDefaults({ ...flags, privateKey: '~/no-such-key-ploy' }, dir).catch((error: Error) => error);
  assert.match(String(missing), `--private-key: ${join(homedir(), 'no-such-key-ploy')} does not exist`);
});

/** A terminal stand-in: records raw mode and everything echoed to it. */
function terminal(): { input: PasswordInput & PassThrough; output: { text: string; write(s: string): boolean }; modes: boolean[] } {
  const input = new PassThrough() as PasswordInput & PassThrough;
  const modes: boolean[] = [];
  input.isTTY = true;
  input.setRawMode = (mode: boolean) => modes.push(mode);
  const output = { text: '', write: (s: string) => ((output.text += s), true) };
  return { input, output, modes };
}

test('-K on a terminal: raw mode while typing (nothing echoed), backspace and Ctrl-U edit, Enter ends', async () => {
  const tty = terminal();
  const answer = askPassword('BECOME password: ', tty.input, tty.output);
  tty.input.write('wrong-7c1e');
  tty.input.write('\u0015');
  tty.input.write('pw-ty');
  tty.input.write('x\u007fped-7c1e\r');
  const password = await answer;
  assert.ok(isSecret(password));
  assert.is(password.reveal(), 'pw-typed-7c1e');
  assert.is(tty.output.text, 'BECOME password: \n', 'only the prompt and the line end: no character echoed');
  assert.equal(tty.modes, [true, false], 'raw mode on while reading, off after');
});

test('-K: Ctrl-C at the prompt aborts (the CLI exits 130) and restores the terminal', async () => {
  const tty = terminal();
  const answer = askPassword('BECOME password: ', tty.input, tty.output);
  tty.input.write('abc\u0003');
  assert.instance(await answer.catch((error: unknown) => error), PromptInterrupted);
  assert.equal(tty.modes, [true, false]);
});

test('-K on a pipe: the first line; nothing at all is an error', async () => {
  const pipe = new PassThrough();
  const output = { text: '', write: (s: string) => ((output.text += s), true) };
  const answer = askPassword('BECOME password: ', pipe, output);
  pipe.end('pw-piped-7c1e\r\nsecond line\n');
  assert.is((await answer).reveal(), 'pw-piped-7c1e');
  const empty = new PassThrough();
  const none = askPassword('BECOME password: ', empty, output);
  empty.end();
  assert.match(String(await none.catch((error: unknown) => error)), '--ask-become-pass: no password was entered');
});

const stats = (changed: number): Record<string, HostStats> => ({ web1: { ok: 3, changed, unreachable: 0, failed: 0, skipped: 0, elapsedMs: 1 } });

test('--detailed-exitcode: 10 only for a clean check run with changes pending; failures and interrupts keep their codes', () => {
  assert.is(CHANGES_PENDING_EXIT_CODE, 10);
  assert.is(detailedExitCode({ stats: stats(2), exitCode: 0, interrupted: false }, true), 10);
  assert.is(detailedExitCode({ stats: stats(0), exitCode: 0, interrupted: false }, true), 0);
  assert.is(detailedExitCode({ stats: stats(2), exitCode: 0, interrupted: false }, false), 0, 'without the flag');
  assert.is(detailedExitCode({ stats: stats(2), exitCode: 2, interrupted: false }, true), 2);
  assert.is(detailedExitCode({ stats: stats(2), exitCode: 4, interrupted: false }, true), 4);
  assert.is(detailedExitCode({ stats: stats(2), exitCode: 130, interrupted: true }, true), 130);
  inputError(() => checkDetailedExitCodeFlag({ detailedExitcode: true, check: false }), '--detailed-exitcode needs --check');
  checkDetailedExitCodeFlag({ detailedExitcode: true, check: true });
});

test('--json carries changesPending (check runs only) and the exit code the CLI decided', () => {
  const document = (check: boolean, changed: number, code?: number) => {
    let text = '';
    const reporter = new JsonReporter({ out: { write: (s: string) => ((text += s), true) }, err: { write: () => true } });
    reporter.emit({ type: 'play-start', play: 'p', hosts: ['web1'], check });
    reporter.emit({ type: 'play-end', play: 'p', stats: stats(changed), elapsedMs: 1 });
    if (code !== undefined) reporter.setExitCode(code);
    reporter.close();
    return JSON.parse(text) as { changesPending: boolean; exitCode?: number };
  };
  assert.equal(document(true, 1, 10), { ...document(true, 1, 10), changesPending: true, exitCode: 10 });
  assert.is(document(true, 0, 0).changesPending, false);
  assert.is(document(false, 1, 0).changesPending, false, 'a real run made its changes: none pending');
  assert.is(document(true, 1).exitCode, undefined, 'no exit code when nobody decided one');
});

test.run();
