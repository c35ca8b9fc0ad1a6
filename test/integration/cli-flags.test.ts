/**
 * ansible-playbook's flags, through the real CLI on a test-bed host (systemd + OpenSSH), with the
 * meaning ansible-playbook gives them: -u, --private-key, -b, --become-user, -K (piped and on a
 * terminal), --start-at-task, --list-tasks, --list-tags, --syntax-check, and --detailed-exitcode
 * with --check. One bed host appears under several inventory names, some with their own
 * connection vars, to show that a host's variables win over the flags, as in Ansible. HOME holds
 * only the bed's known_hosts: no key, no ssh config, no agent, so a login works only with the key
 * a flag or the inventory names.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { beforeAll } from '../support/before-all.ts';
import { startTestbed, type Testbed } from '../testbed/bed.ts';
import { TESTBED_USERS } from '../testbed/users.ts';
import { cliHome, removeHome, runCli, shown, startCli, waitUntil, type CliOptions, type CliRun } from './faults-cli.ts';

const PLAYBOOK = 'test/fixtures/cli-flags/playbook.ts';
const PASSWORD = TESTBED_USERS.alice.sudoPassword;
let bed: Testbed;
let home: string;
let inventory: string;
let nowhere: string;
let runs = 0;

beforeAll(test, async () => {
  bed = await startTestbed({ hosts: [{ name: 'web1' }] });
  home = cliHome(bed);
  const ip = bed.host('web1').ip;
  inventory = join(bed.dir, 'flags-inventory.yml');
  writeFileSync(
    inventory,
    [
      'all:',
      '  hosts:',
      `    web1: { ansible_host: ${ip} }`,
      `    web1-deploy: { ansible_host: ${ip}, ansible_user: deploy, ansible_ssh_private_key_file: ${bed.keyPath} }`,
      `    web1-nobecome: { ansible_host: ${ip}, ansible_become: false }`,
      `    web1-becomes-deploy: { ansible_host: ${ip}, ansible_become_user: deploy }`,
      `    web1-pw: { ansible_host: ${ip}, ansible_become_password: ${PASSWORD} }`,
      '',
    ].join('\n'),
  );
  // A host that cannot be reached (TEST-NET-1): the runs that must not contact any host use it.
  nowhere = join(bed.dir, 'nowhere-inventory.yml');
  writeFileSync(nowhere, 'all:\n  hosts:\n    far: { ansible_host: 192.0.2.1 }\n');
});

test.after(async () => {
  await bed?.stop();
  removeHome(home);
});

/** A fresh 1777 directory on the host for one run's files. */
async function freshDir(): Promise<string> {
  const dir = `/var/tmp/ploy-flags-${++runs}`;
  await bed.sh('web1', `rm -rf ${dir} && mkdir -m 1777 ${dir}`);
  return dir;
}

function ploy(args: string[], options: Partial<CliOptions> = {}): Promise<CliRun> {
  return runCli(PLAYBOOK, ['-i', inventory, ...args], { home, boundMs: 90_000, ...options });
}

async function onHost(path: string): Promise<string> {
  const r = await bed.sh('web1', `cat ${path} 2>/dev/null || echo MISSING`);
  return r.stdout.trim();
}

test("-u and --private-key: log in as that user with that key; a host's ansible_user and key win", async () => {
  const dir = await freshDir();
  const run = await ploy(['-l', 'web1:web1-deploy', '-u', 'alice', '--private-key', bed.keyPath, '-e', `dir=${dir}`]);
  assert.is(run.code, 0, shown(run));
  assert.is(await onHost(`${dir}/web1.user`), 'alice');
  assert.is(await onHost(`${dir}/web1-deploy.user`), 'deploy');
});

test('without --private-key the same run cannot log in: the key came from the flag', async () => {
  const dir = await freshDir();
  const run = await ploy(['-l', 'web1', '-u', 'alice', '-e', `dir=${dir}`, '--connect-timeout', '5']);
  assert.is(run.code, 4, shown(run));
  assert.match(run.stdout, /^unreachable: \[web1\] .*alice@/m, shown(run));
  assert.is(await onHost(`${dir}/web1.user`), 'MISSING');
});

test("-b runs tasks through sudo, --become-user picks whom; a host's ansible_become and ansible_become_user win", async () => {
  const dir = await freshDir();
  const asRoot = await ploy(['-l', 'web1:web1-nobecome:web1-becomes-deploy', '-u', 'deploy', '--private-key', bed.keyPath, '-b', '-e', `dir=${dir}`]);
  assert.is(asRoot.code, 0, shown(asRoot));
  assert.equal([await onHost(`${dir}/web1.user`), await onHost(`${dir}/web1-nobecome.user`), await onHost(`${dir}/web1-becomes-deploy.user`)], ['root', 'deploy', 'deploy']);
  const dir2 = await freshDir();
  const asAlice = await ploy(['-l', 'web1', '-u', 'deploy', '--private-key', bed.keyPath, '-b', '--become-user', 'alice', '-e', `dir=${dir2}`]);
  assert.is(asAlice.code, 0, shown(asAlice));
  assert.is(await onHost(`${dir2}/web1.user`), 'alice');
  const dir3 = await freshDir();
  const noFlag = await ploy(['-l', 'web1', '-u', 'deploy', '--private-key', bed.keyPath, '-e', `dir=${dir3}`]);
  assert.is(await onHost(`${dir3}/web1.user`), 'deploy', shown(noFlag));
});

test('-K reads the sudo password from a pipe: alice becomes root; a wrong one fails the tasks and is never shown', async () => {
  const dir = await freshDir();
  const run = await ploy(['-l', 'web1', '-u', 'alice', '--private-key', bed.keyPath, '-b', '-K', '-e', `dir=${dir}`], { stdin: `${PASSWORD}\n` });
  assert.is(run.code, 0, shown(run));
  assert.is(await onHost(`${dir}/web1.user`), 'root');
  assert.match(run.stderr, /^BECOME password: /, 'the prompt goes to stderr');
  assert.not.ok((run.stdout + run.stderr).includes(PASSWORD), shown(run));

  const dir2 = await freshDir();
  const wrong = await ploy(['-l', 'web1:web1-pw', '-u', 'alice', '--private-key', bed.keyPath, '-b', '-K', '-e', `dir=${dir2}`], { stdin: 'not-the-password\n' });
  assert.is(wrong.code, 2, shown(wrong));
  assert.match(wrong.stdout, /^failed: \[web1\] Record the user => .*(password|sudo)/im, shown(wrong));
  assert.not.ok((wrong.stdout + wrong.stderr).includes('not-the-password'), shown(wrong));
  assert.is(await onHost(`${dir2}/web1-pw.user`), 'root', "the host's ansible_become_password won over the wrong -K one");

  const none = await ploy(['-l', 'web1', '-u', 'alice', '--private-key', bed.keyPath, '-b', '-K', '-e', `dir=${dir2}`]);
  assert.is(none.code, 1, shown(none));
  assert.match(none.stderr, /ERROR: --ask-become-pass: no password was entered/);
});

test('-K on a terminal: the prompt shows, the typed password is not echoed, and the run becomes root', async () => {
  const dir = await freshDir();
  const args = ['-i', inventory, '-l', 'web1', '-u', 'alice', '--private-key', bed.keyPath, '-b', '-K', '-e', `dir=${dir}`];
  const run = startCli(PLAYBOOK, args, { home, tty: true, keepStdinOpen: true, boundMs: 90_000, env: { NO_COLOR: '1', TERM: 'xterm' } });
  await waitUntil('the prompt shows', () => run.output().stdout.includes('BECOME password: '), 60_000);
  run.child.stdin.end(`${PASSWORD}\n`);
  const done = await run.done;
  assert.is(done.code, 0, shown(done));
  assert.not.ok(done.stdout.includes(PASSWORD), `the password was echoed:\n${shown(done)}`);
  assert.is(await onHost(`${dir}/web1.user`), 'root');
});

test('--start-at-task skips the tasks before it in every role, by name, ROLE : NAME or glob; an unknown name exits 1 before any host is touched', async () => {
  const common = ['-l', 'web1', '-u', 'root', '--private-key', bed.keyPath];
  const dir = await freshDir();
  const run = await ploy([...common, '-e', `dir=${dir}`, '--start-at-task', 'Marker two', '--json']);
  assert.is(run.code, 0, shown(run));
  const doc = JSON.parse(run.stdout) as { roles: { name: string; tasks: { name: string }[] }[]; stats: Record<string, { ok: number; changed: number; skipped: number }> };
  assert.equal(
    doc.roles.map((role) => [role.name, role.tasks.map((task) => task.name)]),
    [
      ['base', []],
      ['app', ['Marker two', 'Marker three']],
    ],
  );
  assert.equal([doc.stats.web1?.ok, doc.stats.web1?.changed, doc.stats.web1?.skipped], [2, 2, 0], 'the tasks before it are not counted, as in Ansible');
  assert.equal([await onHost(`${dir}/web1.user`), await onHost(`${dir}/web1.one`), await onHost(`${dir}/web1.two`)], ['MISSING', 'MISSING', 'two']);

  const dir2 = await freshDir();
  const qualified = await ploy([...common, '-e', `dir=${dir2}`, '--start-at-task', 'base : Marker one']);
  assert.is(qualified.code, 0, shown(qualified));
  assert.equal([await onHost(`${dir2}/web1.user`), await onHost(`${dir2}/web1.one`), await onHost(`${dir2}/web1.three`)], ['MISSING', 'one', 'three']);

  const dir3 = await freshDir();
  const glob = await ploy([...common, '-e', `dir=${dir3}`, '--start-at-task', '*three']);
  assert.is(glob.code, 0, shown(glob));
  assert.equal([await onHost(`${dir3}/web1.two`), await onHost(`${dir3}/web1.three`)], ['MISSING', 'three']);

  const dir4 = await freshDir();
  const unknown = await ploy([...common, '-e', `dir=${dir4}`, '--start-at-task', 'Marker four']);
  assert.is(unknown.code, 1, shown(unknown));
  assert.match(
    unknown.stderr,
    /^ERROR: --start-at-task "Marker four": no task has this name \(the tasks are: "base : Record the user", "base : Marker one", "app : Marker two", "app : Marker three"\)$/m,
  );
  assert.is(unknown.stdout, '');
  const left = await bed.sh('web1', `ls -A ${dir4}`);
  assert.is(left.stdout, '', 'nothing was done on the host');
});

test('--list-tasks, --list-tags and --syntax-check run the preflight alone: no host contacted, no password asked', async () => {
  const args = ['-i', nowhere, '-e', 'dir=/x', '-K', '--connect-timeout', '30'];
  const started = Date.now();
  const tasks = await runCli(PLAYBOOK, [...args, '--list-tasks', '-t', 'one,three'], { home });
  assert.is(tasks.code, 0, shown(tasks));
  assert.is(
    tasks.stdout,
    [
      'playbook: cli-flags',
      '',
      '  role #1 (all): base\tTAGS: [base]',
      '    tasks:',
      '      Marker one\tTAGS: [base, one]',
      '',
      '  role #2 (all): app\tTAGS: []',
      '    tasks:',
      '      Marker three\tTAGS: [three, last]',
      '',
    ].join('\n'),
  );
  const tags = await runCli(PLAYBOOK, [...args, '--list-tags'], { home });
  assert.is(tags.code, 0, shown(tags));
  assert.match(tags.stdout, /role #1 \(all\): base\tTAGS: \[base\]\n {6}TASK TAGS: \[base, one, who\]\n/);
  assert.match(tags.stdout, /role #2 \(all\): app\tTAGS: \[\]\n {6}TASK TAGS: \[last, three, two\]\n/);
  const syntax = await runCli(PLAYBOOK, [...args, '--syntax-check', '--json'], { home });
  assert.is(syntax.code, 0, shown(syntax));
  assert.equal(JSON.parse(syntax.stdout), { play: 'cli-flags', syntaxCheck: 'passed', roles: 2, hosts: 1, tasks: 4 });
  assert.ok(Date.now() - started < 30_000, 'no run waited on the unreachable host');
  assert.not.match(tasks.stderr + tags.stderr + syntax.stderr, /BECOME password/);

  const bad = await runCli(PLAYBOOK, [...args, '--syntax-check', '-e', 'mode=999'], { home });
  assert.is(bad.code, 1, shown(bad));
  assert.match(bad.stderr, /^ERROR: .*host far, task "Marker one", field "mode"/m);
});

test('--detailed-exitcode with --check: 10 while changes are pending, 0 once converged; --json says so', async () => {
  const dir = await freshDir();
  const args = ['-l', 'web1', '-u', 'root', '--private-key', bed.keyPath, '-e', `dir=${dir}`, '--skip-tags', 'who'];
  const pending = await ploy([...args, '-C', '--detailed-exitcode', '--json']);
  assert.is(pending.code, 10, shown(pending));
  const doc = JSON.parse(pending.stdout) as { check: boolean; changesPending: boolean; exitCode: number };
  assert.equal([doc.check, doc.changesPending, doc.exitCode], [true, true, 10]);
  assert.is((await ploy(args)).code, 0);
  const converged = await ploy([...args, '-C', '--detailed-exitcode', '--json']);
  assert.is(converged.code, 0, shown(converged));
  const after = JSON.parse(converged.stdout) as { changesPending: boolean; exitCode: number };
  assert.equal([after.changesPending, after.exitCode], [false, 0]);
  const fresh = await freshDir();
  const plain = await ploy(['-l', 'web1', '-u', 'root', '--private-key', bed.keyPath, '-e', `dir=${fresh}`, '-C', '--json']);
  assert.is(plain.code, 0, `without the flag a pending change still exits 0: ${shown(plain)}`);
  assert.is((JSON.parse(plain.stdout) as { changesPending: boolean }).changesPending, true);
});

test.run();
