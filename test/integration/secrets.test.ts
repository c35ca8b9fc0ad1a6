/**
 * Secrets never show, through the real CLI on a test-bed host. Three known secrets (a secret()
 * k3s token, a `!secret` registry password and ansible_become_password) are used in command
 * arguments, env, stdin, a template, copied content, a failing command's output, an argument
 * error and a crash (test/fixtures/secrets-output/playbook.ts). Every output mode runs: human
 * plain and on a terminal, --json, -v, -vv, -vvv, --diff, the error and the stack trace; all of
 * stdout and stderr is searched: zero hits, while each run shows "***" where they were masked and
 * the host got the real values.
 * Also: a file is created with its final mode and group before its first byte (sampled with stat
 * on the host, in a tight loop, while a throttled 16 MB write is under way).
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { beforeAll } from '../support/before-all.ts';
import { startTestbed, type Testbed } from '../testbed/bed.ts';
import { TESTBED_USERS } from '../testbed/users.ts';
import { cliHome, removeHome, runCli, shown, throttleToHost, type CliRun } from './faults-cli.ts';

const K3S_TOKEN = `K10-${randomBytes(12).toString('hex')}::server:ploy`;
const REGISTRY_PASSWORD = `reg-${randomBytes(9).toString('base64url')}`;
const BECOME_PASSWORD = TESTBED_USERS.alice.sudoPassword;
const SECRETS = { K3S_TOKEN, REGISTRY_PASSWORD, BECOME_PASSWORD };
const PLAYBOOK = 'test/fixtures/secrets-output/playbook.ts';
let bed: Testbed;
let home: string;
let inventory: string;
let runId = 0;

function ploy(args: string[], options: { tty?: boolean } = {}): Promise<CliRun> {
  runId++;
  return runCli(PLAYBOOK, ['-i', inventory, '-e', `run_id=${runId}`, ...args], {
    home,
    env: { PLOY_TEST_K3S_TOKEN: K3S_TOKEN, ...(options.tty ? { NO_COLOR: '', TERM: 'xterm-256color' } : {}) },
    boundMs: 60_000,
    ...(options.tty ? { tty: true } : {}),
  });
}

/** Every secret that shows anywhere in the run's output (stdout and stderr). */
function leaks(run: CliRun): string[] {
  const all = run.stdout + run.stderr;
  return Object.entries(SECRETS)
    .filter(([, value]) => all.includes(value))
    .map(([name]) => name);
}

beforeAll(test, async () => {
  bed = await startTestbed({ hosts: [{ name: 'web1' }] });
  home = cliHome(bed);
  inventory = join(bed.dir, 'secrets-inventory.yml');
  writeFileSync(
    inventory,
    [
      'all:',
      '  vars:',
      '    ansible_user: alice',
      `    ansible_ssh_private_key_file: ${bed.keyPath}`,
      '    ansible_become: true',
      `    ansible_become_password: ${BECOME_PASSWORD}`,
      `    registry_password: !secret ${REGISTRY_PASSWORD}`,
      '  hosts:',
      '    web1:',
      `      ansible_host: ${bed.host('web1').ip}`,
      '',
    ].join('\n'),
  );
});

test.after(async () => {
  await bed?.stop();
  removeHome(home);
});

const modes: Array<{ name: string; args: string[]; tty?: boolean; code: number; shows: RegExp[] }> = [
  { name: 'human, plain', args: [], code: 0, shows: [/^failed: \[web1\] A command that leaks => .*\n +token \*\*\* rejected, password \*\*\*$/m] },
  { name: 'human on a terminal, -v --diff', args: ['-v', '--diff'], tty: true, code: 0, shows: [/\x1b\[/, /token \*\*\* rejected/, /printf %s \*\*\*/] },
  { name: '--json', args: ['--json'], code: 0, shows: [/"msg": ".*token \*\*\* rejected, password \*\*\*/] },
  { name: '-v', args: ['-v'], code: 0, shows: [/printf %s \*\*\* \| wc -c/] },
  { name: '-vv --diff', args: ['-vv', '--diff'], code: 0, shows: [/^ +sudo \*\*\*$/m, /password: \*\*\*/, /^-\*\*\* \(old line hidden: this file holds secrets\)$/m] },
  { name: '-vvv --diff', args: ['-vvv', '--diff'], code: 0, shows: [/token \*\*\* rejected/, /password: \*\*\*/] },
  { name: 'an argument error', args: ['-e', 'break=args'], code: 1, shows: [/^ERROR: .*field "dest": copy: must be an absolute path, got "relative\/\*\*\*"$/m] },
  { name: 'an argument error at -vvv (stack trace)', args: ['-e', 'break=args', '-vvv'], code: 1, shows: [/got "relative\/\*\*\*"/, /^\s+at /m] },
  { name: 'a crash at -vvv (stack trace)', args: ['-e', 'crash=yes', '-vvv'], code: 2, shows: [/role code crashed holding \*\*\* and \*\*\*/, /^\s+at .*playbook\.ts/m] },
];

for (const mode of modes) {
  test(`${mode.name}: no secret in the output`, async () => {
    const run = await ploy(mode.args, mode.tty ? { tty: true } : {});
    assert.is(run.code, mode.code, shown(run));
    assert.equal(leaks(run), [], `secrets shown in:\n${shown(run)}`);
    for (const pattern of mode.shows) assert.match(run.stdout + run.stderr, pattern, `expected ${pattern} in:\n${shown(run)}`);
  });
}

test('the host got the real values (so the masking above hid something real)', async () => {
  const on = async (command: string) => (await bed.sh('web1', command)).stdout;
  assert.match(await on('cat /etc/ploy-secrets/token'), new RegExp(`^${K3S_TOKEN}\n# run \\d+\n$`));
  assert.match(await on('cat /etc/ploy-secrets/registries.yaml'), `password: ${REGISTRY_PASSWORD}\ntoken: ${K3S_TOKEN}\n`);
  assert.is(await on("stat -c '%a %U' /etc/ploy-secrets/token /etc/ploy-secrets/registries.yaml /etc/ploy-secrets"), '600 root\n600 root\n700 root\n');
});

test('stdin reached the command: -vv shows the sha256 of the token, never the token', async () => {
  const run = await ploy(['-vv']);
  assert.ok(run.stdout.includes(createHash('sha256').update(K3S_TOKEN).digest('hex')), shown(run));
  assert.equal(leaks(run), []);
});

test('a file gets its final mode and group before its first byte (stat sampled on the host during a throttled write)', async () => {
  const files = mkdtempSync(join(tmpdir(), 'ploy-secret-mode-'));
  const unthrottle = throttleToHost(bed, 'web1');
  try {
    writeFileSync(join(files, 'big'), randomBytes(16 * 1024 * 1024));
    await bed.sh('web1', 'rm -f /var/tmp/ploy-big /var/tmp/ploy-sampler-stop');
    const sampler = bed.sh('web1', `i=0; while [ ! -e /var/tmp/ploy-sampler-stop ] && [ $i -lt 200000 ]; do i=$((i+1)); stat -c '%n %s %a %U:%G' /var/tmp/.ploy-* 2>/dev/null; done; true`);
    const run = await runCli('test/fixtures/faults/playbook.ts', ['-i', bed.inventoryPath, '--role', 'big-copy', '-e', `big_src=${join(files, 'big')}`], { home, boundMs: 60_000 });
    await bed.sh('web1', 'touch /var/tmp/ploy-sampler-stop');
    assert.is(run.code, 0, shown(run));
    // "NAME SIZE MODE OWNER:GROUP"; the big file's temp is the one that grew past 1 MB (the play's next task writes a small file too).
    const all = (await sampler).stdout
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => line.split(' '));
    const bigTemp = all.find(([, size]) => Number(size) > 1024 * 1024)?.[0];
    const samples = all.filter(([name]) => name === bigTemp).map(([, ...rest]) => rest.join(' '));
    const withBytes = samples.filter((s) => !s.startsWith('0 '));
    const midWrite = withBytes.filter((s) => Number(s.split(' ')[0]) < 16 * 1024 * 1024);
    assert.ok(midWrite.length >= 10, `the write was watched while under way (${midWrite.length} of ${samples.length} samples)`);
    const wrong = withBytes.filter((s) => !s.endsWith(' 640 root:adm'));
    assert.equal(wrong.slice(0, 5), [], 'bytes were only ever in a file with its final mode and group');
    const open = samples.filter((s) => !/ (600|640) root:(root|adm)$/.test(s));
    assert.equal(open.slice(0, 5), [], 'the temp file was never more open than 0640');
    assert.is((await bed.sh('web1', "stat -c '%a %U:%G' /var/tmp/ploy-big")).stdout, '640 root:adm\n');
  } finally {
    unthrottle();
    rmSync(files, { recursive: true, force: true });
  }
});

test.run();
