/**
 * The bastion role on the test bed: a bastion and two private servers only it reaches, the STAND-IN
 * k3s set up by hand on server1 (as install.sh would), kubectl and helm (stand-ins too) from the
 * release mirror at their upstream paths. Check mode on fresh hosts, converge, a no-change re-run
 * that downloads nothing, the operator's login by key and never by password (real ssh from the
 * controller), its kubeconfig reaching server1, k3s_api_endpoint, sshd drift and the drop-in's
 * validation, wrong sha256s, and bad input refused before any connection. The tests run in order:
 * each leaves the hosts as the next one expects them.
 */
import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { stringify } from 'yaml';
import { ConnectionPool } from '../../lib/connection/pool.ts';
import { InputError } from '../../lib/errors.ts';
import { inventoryFromYaml } from '../../lib/inventory/load.ts';
import { definePlay, type Role } from '../../lib/role.ts';
import { runPlay, type RunSummary } from '../../lib/runner/run-play.ts';
import { quote } from '../../lib/shell.ts';
import type { Vars } from '../../lib/vars.ts';
import { bastion, SSHD_DROP_IN, SSHD_VALIDATE } from '../../roles/bastion/role.ts';
import { beforeAll } from '../support/before-all.ts';
import { bedRootShell, installK3sByHand, startK3sUnit, writeK3sConfig } from '../support/k3s-by-hand.ts';
import { ObservedPool, Recorder } from '../support/observed-run.ts';
import { startReleaseMirror, type ReleaseMirror } from '../support/release-mirror.ts';
import { startTestbed, TESTBED_USERS, type Testbed } from '../testbed/bed.ts';
import { ROOT } from './faults-cli.ts';

const K3S = 'v1.31.4+k3s1';
const KUBECTL = 'v1.31.4';
const HELM = 'v3.16.3';
const KUBECTL_PATH = `release/${KUBECTL}/bin/linux/amd64/kubectl`;
const HELM_PATH = `helm-${HELM}-linux-amd64.tar.gz`;
const OPERATOR = 'operator';

let bed: Testbed;
let mirror: ReleaseMirror;
let dir: string;
/** The operator's private key on the controller; its public half goes into operator_authorized_keys. */
let operatorKey: string;
let operatorPublicKey: string;

interface Run {
  summary: RunSummary;
  reporter: Recorder;
  pool: ObservedPool;
}

/** The inventory provision.ts would write for this bed, with the mirror and the stand-ins' sha256s. */
function inventoryText(bastionVars: Vars = {}): string {
  const server = (name: string) => ({ ansible_host: bed.host(name).ip, private_ip: bed.host(name).ip, ploy_jump_host: 'bastion' });
  const bastionHost: Vars = {
    ansible_host: bed.host('bastion').ip,
    ploy_download_mirror: mirror.url,
    kubectl_sha256: mirror.sha256(KUBECTL_PATH),
    helm_sha256: mirror.sha256(HELM_PATH),
    operator_authorized_keys: [operatorPublicKey],
    ...bastionVars,
  };
  for (const [name, value] of Object.entries(bastionHost)) if (value === undefined) delete bastionHost[name];
  return stringify({
    all: {
      vars: { ansible_user: TESTBED_USERS.deploy.name, ansible_ssh_private_key_file: bed.keyPath },
      children: {
        bastion: { hosts: { bastion: bastionHost } },
        k3s_servers: { hosts: { server1: server('server1'), server2: server('server2') } },
      },
    },
  });
}

async function run(options: { check?: boolean; extraVars?: Vars; bastionVars?: Vars } = {}): Promise<Run> {
  const reporter = new Recorder();
  const pool = new ObservedPool(new ConnectionPool({ knownHostsFile: bed.knownHostsPath, connectTimeoutMs: 10_000 }));
  const summary = await runPlay(
    definePlay({ name: 'bastion', roles: [bastion as unknown as Role] }),
    {
      inventory: inventoryFromYaml(inventoryText(options.bastionVars), 'role-bastion.yml'),
      check: options.check ?? false,
      diff: false,
      forks: 5,
      extraVars: options.extraVars ?? {},
      projectDir: ROOT,
      connections: pool,
    },
    reporter,
  );
  return { summary, reporter, pool };
}

/** "status task" of each task that ran for the bastion (delegated ones included), in order. */
function results(r: Run): string[] {
  return r.reporter.ends().map((e) => `${e.result.status} ${e.task}${e.delegatedTo ? ` -> ${e.delegatedTo}` : ''}`);
}

function resultOf(r: Run, task: RegExp) {
  const end = r.reporter.ends().find((e) => task.test(e.task));
  if (!end) throw new Error(`no task matching ${task} ran:\n${results(r).join('\n')}`);
  return end.result;
}

const root = (host: string) => bedRootShell(bed, host);
const onBastion = (command: string) => root('bastion').sh(command);

/** ssh from the controller to the bastion as `user`, with these options; never throws. */
function ssh(user: string, options: string[], command: string, env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const args = [
    '-F',
    '/dev/null',
    '-o',
    `UserKnownHostsFile=${bed.knownHostsPath}`,
    '-o',
    'StrictHostKeyChecking=yes',
    '-o',
    'ConnectTimeout=10',
    ...options,
    `${user}@${bed.host('bastion').ip}`,
    command,
  ];
  return new Promise((resolve) => {
    const child = execFile('ssh', args, { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env }, timeout: 30_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
    });
    child.stdin?.end();
  });
}

/** Log in with a password only (no key), answered by SSH_ASKPASS. */
function passwordLogin(user: string, password: string) {
  const askpass = join(dir, `askpass-${user}`);
  writeFileSync(askpass, `#!/bin/sh\necho ${quote(password)}\n`);
  chmodSync(askpass, 0o700);
  const options = ['-o', 'PubkeyAuthentication=no', '-o', 'PasswordAuthentication=yes', '-o', 'KbdInteractiveAuthentication=yes', '-o', 'NumberOfPasswordPrompts=1'];
  return ssh(user, options, 'id -un', { SSH_ASKPASS: askpass, SSH_ASKPASS_REQUIRE: 'force', DISPLAY: ':0' });
}

const keyLogin = (command: string) => ssh(OPERATOR, ['-i', operatorKey, '-o', 'IdentitiesOnly=yes', '-o', 'PasswordAuthentication=no', '-o', 'BatchMode=yes'], command);

/** Round trips of a run, per host that answered them: batched probes answered from an earlier batch are not one. */
function roundTrips(r: Run): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const c of r.reporter.commands()) if (!c.batched) counts[c.delegatedTo ?? c.host] = (counts[c.delegatedTo ?? c.host] ?? 0) + 1;
  return counts;
}

beforeAll(test, async () => {
  bed = await startTestbed({ hosts: [{ name: 'bastion' }, { name: 'server1', network: 'private' }, { name: 'server2', network: 'private' }], bastion: 'bastion' });
  mirror = await startReleaseMirror({ bed, k3s: [K3S], kubectl: [KUBECTL], helm: [HELM], arches: ['amd64'] });
  dir = mkdtempSync(join(tmpdir(), 'ploy-bastion-'));
  operatorKey = join(dir, 'operator_ed25519');
  await new Promise<void>((resolve, reject) =>
    execFile('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'operator@controller', '-f', operatorKey], (error) => (error ? reject(error) : resolve())),
  );
  operatorPublicKey = readFileSync(`${operatorKey}.pub`, 'utf8').trim();
});
test.after(async () => {
  await mirror?.close();
  await bed?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test("the bed takes passwords before the role runs (so a refusal later is the role's doing)", async () => {
  const login = await passwordLogin(TESTBED_USERS.alice.name, TESTBED_USERS.alice.sudoPassword);
  assert.equal([login.code, login.stdout], [0, 'alice\n'], login.stderr);
  const methods = await ssh(OPERATOR, ['-o', 'PubkeyAuthentication=no', '-o', 'BatchMode=yes'], 'true');
  assert.match(methods.stderr, 'Permission denied (publickey,password).');
});

/** What a host looks like where the role would act: compared before and after a run that must change nothing. */
async function bastionState(): Promise<string> {
  return onBastion(`getent passwd ${OPERATOR} || echo no-operator; ls -A /etc/ssh/sshd_config.d /usr/local/bin; cat /etc/hosts; ls -A /home; sha256sum /etc/ssh/sshd_config`);
}

test('--check on fresh hosts, before K3s: the whole plan, nothing changed, nothing downloaded; the kubeconfig cannot be predicted', async () => {
  const before = await bastionState();
  const r = await run({ check: true });
  assert.is(r.summary.exitCode, 0, r.reporter.problems());
  assert.equal(results(r), [
    'changed operator account',
    'changed operator ~/.ssh',
    'changed operator authorized keys',
    'changed operator ~/.kube',
    'changed sshd: keys only, no passwords',
    'changed /etc/hosts names the K3s servers',
    'ok gather facts',
    `changed kubectl ${KUBECTL}`,
    `changed helm ${HELM}`,
    "skipped server1's /etc/rancher/k3s/k3s.yaml is there to read -> server1",
    'changed reload sshd',
  ]);
  assert.match(resultOf(r, /k3s\.yaml is there/).msg ?? '', /^cannot predict/);
  assert.equal(resultOf(r, /^kubectl/).changes, [`download /usr/local/bin/kubectl (sha256 ${mirror.sha256(KUBECTL_PATH).slice(0, 12)}…, mode 0755) from ${mirror.url}/${KUBECTL_PATH}`]);
  assert.is(await bastionState(), before);
  assert.equal(mirror.downloads(), []);
});

test("K3s on server1 (by hand); --check on the still fresh bastion plans the operator's kubeconfig too", async () => {
  await installK3sByHand(root('server1'), mirror.privateUrl ?? '', K3S);
  await writeK3sConfig(root('server1'), 'cluster-init: true\ntls-san:\n  - k3s-api.internal\n');
  assert.is(await startK3sUnit(bed, 'server1'), 0);
  mirror.requests.length = 0;

  const before = await bastionState();
  const r = await run({ check: true });
  assert.is(r.summary.exitCode, 0, r.reporter.problems());
  assert.equal(results(r).slice(-4), [
    "ok server1's /etc/rancher/k3s/k3s.yaml is there to read -> server1",
    "ok read server1's kubeconfig -> server1",
    `changed operator kubeconfig for https://${bed.host('server1').ip}:6443`,
    'changed reload sshd',
  ]);
  assert.match(resultOf(r, /^operator kubeconfig/).changes[0] ?? '', /^create \/home\/operator\/\.kube\/config \(\d+ bytes, mode 0600, owner operator\)$/);
  assert.is(await bastionState(), before);
  assert.equal(mirror.downloads(), []);
});

test('bad input is refused before any host is contacted: no authorized keys, a kubectl version without a sha256', async () => {
  const before = await bastionState();
  for (const [bastionVars, message] of [
    [{ operator_authorized_keys: undefined }, 'host bastion, field "operator_authorized_keys": role bastion requires variable "operator_authorized_keys"'],
    [{ operator_authorized_keys: [] }, 'variable "operator_authorized_keys" must be a non-empty list of public key lines'],
    [{ kubectl_version: 'v1.30.0', kubectl_sha256: undefined }, 'host bastion, field "kubectl_sha256": kubectl v1.30.0 has no known sha256'],
  ] as const) {
    const pool = new ObservedPool(new ConnectionPool({ knownHostsFile: bed.knownHostsPath }));
    const play = definePlay({ name: 'bastion', roles: [bastion as unknown as Role] });
    const inventory = inventoryFromYaml(inventoryText(bastionVars), 'role-bastion.yml');
    const error = await runPlay(play, { inventory, check: false, diff: false, forks: 5, extraVars: {}, projectDir: ROOT, connections: pool }, new Recorder()).then(
      () => assert.unreachable('the run should be refused'),
      (e: unknown) => e,
    );
    assert.instance(error, InputError);
    assert.match((error as Error).message, message);
    assert.is(pool.connections.size, 0, 'no connection was opened');
  }
  assert.is(await bastionState(), before);
});

test('converge: operator, keys, sshd without passwords (reloaded), /etc/hosts, kubectl and helm from the mirror, the kubeconfig', async () => {
  const r = await run();
  assert.is(r.summary.exitCode, 0, r.reporter.problems());
  const server1 = bed.host('server1').ip;
  assert.equal(results(r), [
    'changed operator account',
    'changed operator ~/.ssh',
    'changed operator authorized keys',
    'changed operator ~/.kube',
    'changed sshd: keys only, no passwords',
    'changed /etc/hosts names the K3s servers',
    'ok gather facts',
    `changed kubectl ${KUBECTL}`,
    `changed helm ${HELM}`,
    "ok server1's /etc/rancher/k3s/k3s.yaml is there to read -> server1",
    "ok read server1's kubeconfig -> server1",
    `changed operator kubeconfig for https://${server1}:6443`,
    'changed reload sshd',
  ]);
  assert.equal(mirror.downloads(), [KUBECTL_PATH, HELM_PATH], 'each once, at its upstream path');

  assert.is(await onBastion(`getent passwd ${OPERATOR} | cut -d: -f1,6,7`), `${OPERATOR}:/home/${OPERATOR}:/bin/bash\n`);
  assert.is(
    await onBastion(`stat -c '%n %U %a' /home/${OPERATOR}/.ssh /home/${OPERATOR}/.ssh/authorized_keys /home/${OPERATOR}/.kube /home/${OPERATOR}/.kube/config`),
    [
      `/home/${OPERATOR}/.ssh ${OPERATOR} 700`,
      `/home/${OPERATOR}/.ssh/authorized_keys ${OPERATOR} 600`,
      `/home/${OPERATOR}/.kube ${OPERATOR} 700`,
      `/home/${OPERATOR}/.kube/config ${OPERATOR} 600`,
      '',
    ].join('\n'),
  );
  assert.is(await onBastion(`cat /home/${OPERATOR}/.ssh/authorized_keys`), `${operatorPublicKey}\n`);
  assert.is(await onBastion(`cat ${SSHD_DROP_IN}`), '# BEGIN ploy bastion role\nPasswordAuthentication no\nKbdInteractiveAuthentication no\n# END ploy bastion role\n');
  const effective = await onBastion('sshd -T');
  for (const line of ['passwordauthentication no', 'kbdinteractiveauthentication no', 'pubkeyauthentication yes']) assert.ok(effective.split('\n').includes(line), `sshd -T: ${line}`);
  assert.match(await onBastion('cat /etc/hosts'), `\n# BEGIN ploy bastion role: K3s servers\n${server1} server1\n${bed.host('server2').ip} server2\n# END ploy bastion role: K3s servers\n`);

  assert.is(await onBastion('sha256sum /usr/local/bin/kubectl | cut -d" " -f1; stat -c "%U %a" /usr/local/bin/kubectl /usr/local/bin/helm'), `${mirror.sha256(KUBECTL_PATH)}\nroot 755\nroot 755\n`);
  assert.is(await onBastion('helm version --template "{{.Version}}"'), HELM);
  assert.is(await onBastion('ls -A /usr/local/bin'), 'helm\nkubectl\n', 'only the helm binary from the tarball, no temp files');

  const k3sYaml = await root('server1').sh('cat /etc/rancher/k3s/k3s.yaml');
  assert.is(await onBastion(`cat /home/${OPERATOR}/.kube/config`), k3sYaml.replace('https://127.0.0.1:6443', `https://${server1}:6443`));
});

test('a re-run changes nothing, downloads nothing, reloads nothing; its round trips, host by host', async () => {
  const downloads = mirror.downloads().length;
  const r = await run();
  assert.is(r.summary.exitCode, 0, r.reporter.problems());
  assert.equal(Object.fromEntries(Object.entries(r.summary.stats).map(([host, s]) => [host, s.changed])), { bastion: 0 });
  assert.ok(
    results(r).every((line) => line.startsWith('ok ')),
    results(r).join('\n'),
  );
  assert.not.ok(
    r.reporter.ends().some((e) => e.handler),
    'no handler',
  );
  assert.is(mirror.downloads().length, downloads, 'nothing downloaded');
  // bastion: one batch (facts, the account, its files, the sshd drop-in, /etc/hosts, kubectl's
  // sha256, helm's version probe), and the kubeconfig's probe (its content is read from server1 in
  // the same run); server1: the guard and the delegated read.
  assert.equal(
    roundTrips(r),
    { bastion: 2, server1: 2 },
    r.reporter
      .commands()
      .map((c) => `${c.delegatedTo ?? c.host}${c.batched ? ' (batched)' : ''}: ${c.command.slice(0, 100)}`)
      .join('\n'),
  );
});

test('the operator logs in with its key, never with a password (nor does anyone else); the server offers publickey only', async () => {
  const login = await keyLogin('id -un');
  assert.equal([login.code, login.stdout], [0, `${OPERATOR}\n`], login.stderr);
  await onBastion(`echo ${OPERATOR}:operator-pw | chpasswd`);
  for (const [user, password] of [
    [OPERATOR, 'operator-pw'],
    [TESTBED_USERS.alice.name, TESTBED_USERS.alice.sudoPassword],
  ] as const) {
    const refused = await passwordLogin(user, password);
    assert.is(refused.code, 255, `${user}: ${refused.stdout}${refused.stderr}`);
    assert.match(refused.stderr, 'Permission denied (publickey).');
  }
  const asked = await ssh(OPERATOR, ['-o', 'PasswordAuthentication=yes', '-o', 'PubkeyAuthentication=no', '-o', 'BatchMode=yes'], 'true');
  assert.equal([asked.code, asked.stderr.trim().split('\n').at(-1)], [255, `${OPERATOR}@${bed.host('bastion').ip}: Permission denied (publickey).`]);
});

test("the operator's kubeconfig reaches the first server: kubectl get nodes, as the operator, over its own login", async () => {
  const nodes = await keyLogin('kubectl --kubeconfig ~/.kube/config get nodes --no-headers');
  assert.is(nodes.code, 0, nodes.stderr);
  assert.equal(
    nodes.stdout
      .trim()
      .split('\n')
      .map((row) => row.split(/\s+/).slice(0, 2)),
    [['server1', 'Ready']],
  );
  const byDefault = await keyLogin('kubectl get nodes -o name');
  assert.equal([byDefault.code, byDefault.stdout], [0, 'node/server1\n'], byDefault.stderr);
  const deploy = await ssh(TESTBED_USERS.deploy.name, ['-i', bed.keyPath, '-o', 'IdentitiesOnly=yes', '-o', 'BatchMode=yes'], `cat /home/${OPERATOR}/.kube/config`);
  assert.match(deploy.stderr, 'Permission denied', 'another login cannot read it');
});

test("k3s_api_endpoint points the kubeconfig at that name (one of server1's tls-san) instead; unset, back to the address", async () => {
  await onBastion(`echo '${bed.host('server1').ip} k3s-api.internal' >> /etc/hosts`);
  const named = await run({ extraVars: { k3s_api_endpoint: 'k3s-api.internal' } });
  assert.is(named.summary.exitCode, 0, named.reporter.problems());
  assert.equal(
    results(named).filter((line) => !line.startsWith('ok ')),
    ['changed operator kubeconfig for https://k3s-api.internal:6443'],
  );
  assert.match(await onBastion(`grep server: /home/${OPERATOR}/.kube/config`), /^ +server: https:\/\/k3s-api\.internal:6443\n$/);
  const nodes = await keyLogin('kubectl get nodes -o name');
  assert.equal([nodes.code, nodes.stdout], [0, 'node/server1\n'], nodes.stderr);

  const back = await run();
  assert.equal(
    results(back).filter((line) => !line.startsWith('ok ')),
    [`changed operator kubeconfig for https://${bed.host('server1').ip}:6443`],
  );
  assert.match(await onBastion('tail -1 /etc/hosts'), 'k3s-api.internal', 'a line outside the block is left alone');
});

test('sshd drift is put back and reloaded; the drop-in is validated against the whole configuration before it is written', async () => {
  await onBastion(
    `sed -i 's/^PasswordAuthentication no$/PasswordAuthentication yes/' ${SSHD_DROP_IN} && printf 'PasswordAuthentication yes\\nNoSuchKeyword yes\\n' > /etc/ssh/sshd_config.d/90-broken.conf`,
  );
  const refused = await run();
  assert.is(refused.summary.exitCode, 2);
  const failed = resultOf(refused, /^sshd:/);
  assert.equal([failed.status, /validation failed/.test(failed.msg ?? '')], ['failed', true], failed.msg);
  assert.match(failed.msg ?? '', 'NoSuchKeyword');
  assert.match(await onBastion(`cat ${SSHD_DROP_IN}`), 'PasswordAuthentication yes', 'left as it was');
  assert.not.ok(
    refused.reporter.ends().some((e) => e.handler),
    'no reload',
  );

  await onBastion('rm /etc/ssh/sshd_config.d/90-broken.conf && printf "PasswordAuthentication yes\\n" > /etc/ssh/sshd_config.d/50-cloud-init.conf');
  const fixed = await run();
  assert.is(fixed.summary.exitCode, 0, fixed.reporter.problems());
  assert.equal(
    results(fixed).filter((line) => !line.startsWith('ok ')),
    ['changed sshd: keys only, no passwords', 'changed reload sshd'],
  );
  assert.match(await onBastion("sshd -T | grep '^passwordauthentication '"), /^passwordauthentication no\n$/, "the drop-in sorts before a cloud image's 50-cloud-init.conf");
  const login = await passwordLogin(TESTBED_USERS.alice.name, TESTBED_USERS.alice.sudoPassword);
  assert.match(login.stderr, 'Permission denied (publickey).', 'the running sshd has it too');
});

test("the validate command alone: a drop-in this sshd refuses fails it, the role's passes", async () => {
  const check = (content: string) =>
    bed.sh('bastion', `f=/etc/ssh/sshd_config.d/.candidate; printf '%s' ${quote(content)} > $f; ( ${SSHD_VALIDATE.split('%s').join('"$f"')} ); r=$?; rm -f $f; exit $r`);
  assert.is((await check('PasswordAuthentication no\nKbdInteractiveAuthentication no\n')).code, 0);
  const bad = await check('PasswordAuthentication maybe\n');
  assert.is(bad.code, 255, bad.stderr);
  assert.match(bad.stderr, /unsupported option "maybe"|Bad yes\/no argument/i);
});

test('a wrong sha256 fails the download and installs nothing; kubectl and helm each', async () => {
  await onBastion('rm /usr/local/bin/kubectl /usr/local/bin/helm');
  const wrong = 'f'.repeat(64);
  const kubectl = await run({ extraVars: { kubectl_sha256: wrong } });
  assert.is(kubectl.summary.exitCode, 2);
  assert.match(resultOf(kubectl, /^kubectl/).msg ?? '', `checksum mismatch for ${mirror.url}/${KUBECTL_PATH}: expected sha256 ${wrong}, got ${mirror.sha256(KUBECTL_PATH)}`);
  assert.is(await onBastion('ls -A /usr/local/bin'), '', 'nothing installed, no temp file left');

  const helm = await run({ extraVars: { helm_sha256: wrong } });
  assert.is(helm.summary.exitCode, 2);
  assert.equal(resultOf(helm, /^kubectl/).status, 'changed');
  assert.match(resultOf(helm, /^helm/).msg ?? '', /sha256|checksum/i);
  assert.is(await onBastion('ls -A /usr/local/bin'), 'kubectl\n', 'no helm, no temp directory left');

  const again = await run();
  assert.equal(
    results(again).filter((line) => !line.startsWith('ok ')),
    [`changed helm ${HELM}`],
  );
});

test("server1's k3s.yaml missing, or not pointing at 127.0.0.1:6443: a real run fails saying why; the operator's kubeconfig is left as it was", async () => {
  const before = await onBastion(`sha256sum /home/${OPERATOR}/.kube/config`);
  await root('server1').sh('mv /etc/rancher/k3s/k3s.yaml /etc/rancher/k3s/k3s.yaml.away');
  const missing = await run();
  assert.is(missing.summary.exitCode, 2);
  const guard = resultOf(missing, /k3s\.yaml is there to read/);
  assert.equal([guard.status, guard.msg], ['failed', 'server1 has no /etc/rancher/k3s/k3s.yaml yet: K3s writes it when it first starts (the k3s-server role)']);

  await root('server1').sh("sed 's#https://127.0.0.1:6443#https://127.0.0.1:7443#' /etc/rancher/k3s/k3s.yaml.away > /etc/rancher/k3s/k3s.yaml && chmod 600 /etc/rancher/k3s/k3s.yaml");
  const other = await run();
  assert.is(other.summary.exitCode, 2);
  assert.match(other.reporter.problems(), 'server1: /etc/rancher/k3s/k3s.yaml has no "server: https://127.0.0.1:6443" line');
  assert.match(other.reporter.problems(), '(it has: server: https://127.0.0.1:7443)');
  assert.not.match(other.reporter.problems(), 'client-key-data');
  assert.is(await onBastion(`sha256sum /home/${OPERATOR}/.kube/config`), before);
  await root('server1').sh('mv /etc/rancher/k3s/k3s.yaml.away /etc/rancher/k3s/k3s.yaml');
});

test.run();
