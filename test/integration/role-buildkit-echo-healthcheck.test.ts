/**
 * The buildkit and echo-healthcheck roles through the real CLI (site.ts --role) on a test bed: a
 * "builder" (the buildkit group) with the STAND-IN buildkitd and buildctl from the release mirror
 * (test/fixtures/standins/buildkit), a containerd socket file where K3s's would be, and the STAND-IN
 * kubectl and its "cluster" (test/fixtures/bin); and a "registry" host running Debian's REAL
 * docker-registry with htpasswd auth. Check mode on fresh hosts, converge (the image really in the
 * registry: skopeo reads it), a re-run with nothing changed and nothing built, a Dockerfile change
 * that is one build, one new tag and a rolling update, the password in no output, and the image's
 * command line run for real with Debian's socat: an echo on port 2000 between two hosts, and a
 * refused connection once it stops, which is what a TCP health check counts as a failed node.
 */
import { appendFileSync, copyFileSync, cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readBuildContext } from '../../roles/echo-healthcheck/build-context.ts';
import { beforeAll } from '../support/before-all.ts';
import { skopeoInspect, startBedRegistry, type BedRegistry } from '../support/bed-registry.ts';
import { bedRootShell } from '../support/k3s-by-hand.ts';
import { startReleaseMirror, type ReleaseMirror } from '../support/release-mirror.ts';
import { callWatcher, installStandins, STANDIN_STATE, type StandinCall } from '../support/standins.ts';
import { startTestbed, type Testbed } from '../testbed/bed.ts';
import { cliHome, removeHome, ROOT, runCli, shown, type CliRun } from './faults-cli.ts';

const BUILDKIT = 'v0.16.0';
const TARBALL = `moby/buildkit/releases/download/${BUILDKIT}/buildkit-${BUILDKIT}.linux-amd64.tar.gz`;
const USER = 'ci';
const PASSWORD = 'Reg1stry-pw-of-the-test-9c1d';
const CONTAINERD_SOCKET = '/run/k3s/containerd/containerd.sock';
const DAEMONSET = `${STANDIN_STATE}/kubectl/objects/apps.v1.DaemonSet.kube-system.echo-healthcheck`;
/** Debian's socat on the controller (scripts/setup.sh installs it); the bed's hosts are the same Debian release, its libraries there. */
const SOCAT = '/usr/bin/socat';

let bed: Testbed;
let mirror: ReleaseMirror;
let registry: BedRegistry;
let home: string;
let inventory: string;
let calls: () => Promise<StandinCall[]>;
const work = mkdtempSync(join(tmpdir(), 'ploy-echo-healthcheck-'));
const context = join(work, 'context');
const builder = () => bedRootShell(bed, 'builder');
const registryHost = () => registry.address;

function site(args: string[]): Promise<CliRun> {
  return runCli('playbooks/site.ts', ['-i', inventory, '--role', 'buildkit', '--role', 'echo-healthcheck', ...args], { home, boundMs: 180_000 });
}

function changedOf(run: CliRun, host = 'builder'): number {
  const match = new RegExp(`^${host}\\s*: ok=\\d+ changed=(\\d+)`, 'm').exec(run.stdout.slice(run.stdout.indexOf('PLAY RECAP')));
  if (!match) throw new Error(`no recap for ${host}:\n${shown(run)}`);
  return Number(match[1]);
}

interface Build {
  ref: string;
  dockerfile: string;
  files: string[];
  push: boolean;
  pushed?: string;
  namespace: string;
}
const builds = async () =>
  (await builder().sh('cat /var/lib/buildkit/standin-builds.log 2>/dev/null || true'))
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Build);
const starts = async () =>
  (await builder().sh('cat /var/lib/buildkit/standin-events.log 2>/dev/null || true'))
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { event: string })
    .filter((e) => e.event === 'started').length;
const refOf = () => `${registryHost()}/echo-healthcheck:${readBuildContext(context, 'builder').tag}`;
const assertNoPassword = (run: CliRun) => assert.not.ok(`${run.stdout}${run.stderr}`.includes(PASSWORD), 'the registry password in the output');

const skopeo = (ref: string, what: '--config' | '' = '') => skopeoInspect(registry, ref, what);

beforeAll(test, async () => {
  bed = await startTestbed({ hosts: [{ name: 'builder' }, { name: 'registry' }] });
  mirror = await startReleaseMirror({ bed, buildkit: [BUILDKIT], arches: ['amd64'] });
  home = cliHome(bed);
  cpSync(join(ROOT, 'files', 'echo-healthcheck'), context, { recursive: true });

  registry = await startBedRegistry(bed, 'registry', { username: USER, password: PASSWORD });
  // The builder: K3s's containerd socket where buildkitd's containerd worker looks, the stand-in cluster.
  await builder().sh(`mkdir -p ${CONTAINERD_SOCKET.replace(/\/[^/]+$/, '')} && python3 -c "import socket; socket.socket(socket.AF_UNIX).bind('${CONTAINERD_SOCKET}')"`);
  await installStandins(builder());
  calls = callWatcher(builder());

  inventory = join(work, 'cluster.yml');
  writeFileSync(
    inventory,
    [
      'all:',
      '  vars:',
      '    ansible_user: deploy',
      `    ansible_ssh_private_key_file: ${bed.keyPath}`,
      `    ploy_download_mirror: ${mirror.url}`,
      `    buildkit_sha256: ${mirror.sha256(TARBALL)}`,
      `    k3s_registry_url: http://${registryHost()}`,
      `    k3s_registry_username: ${USER}`,
      `    k3s_registry_password: !secret "${PASSWORD}"`,
      `    echo_healthcheck_context: ${context}`,
      '  children:',
      '    buildkit:',
      '      hosts:',
      `        builder: { ansible_host: ${bed.host('builder').ip} }`,
      '',
    ].join('\n'),
  );
});

test.after(async () => {
  await mirror?.close();
  await bed?.stop();
  removeHome(home);
  rmSync(work, { recursive: true, force: true });
});

test('bad input through the CLI: a context without its Dockerfile is refused before any connection, naming the host and variable', async () => {
  const empty = join(work, 'empty-context');
  cpSync(context, empty, { recursive: true });
  rmSync(join(empty, 'Dockerfile'));
  const run = await site(['-e', `echo_healthcheck_context=${empty}`]);
  assert.is.not(run.code, 0, shown(run));
  assert.match(run.stderr, `host builder, field "echo_healthcheck_context": the build context ${empty} has no Dockerfile`);
  assert.not.match(run.stdout, /TASK|changed:/);
  assertNoPassword(run);
});

test('--check on a fresh host says what would be installed, built and applied, and changes nothing', async () => {
  const run = await site(['--check']);
  assert.is(run.code, 0, shown(run));
  for (const line of [
    `changed: [builder] BuildKit ${BUILDKIT}`,
    'changed: [builder] buildkitd.toml',
    `changed: [builder] image ${refOf()}`,
    `[builder] echo-healthcheck: DaemonSet of ${refOf()} on every node, NodePort 32000 -> 2000`,
  ]) {
    assert.ok(run.stdout.includes(line), `${line}\n${shown(run)}`);
  }
  assert.is((await builder().sh('ls /usr/local/bin/buildkitd /etc/buildkit 2>&1 | grep -c "No such" || true')).trim(), '2', 'the host was changed by --check');
  assert.equal(await builds(), []);
  assert.equal(mirror.downloads(), []);
  assert.not.ok(
    (await calls()).some((c) => c.argv.includes('apply')),
    'no apply in check mode',
  );
  assertNoPassword(run);
});

test('converge: buildkitd with its containerd worker, the image built once and really in the registry, the DaemonSet rolled out', async () => {
  const run = await site(['-v', '--diff']);
  assert.is(run.code, 0, shown(run));
  assertNoPassword(run);
  assert.is((await builder().sh('systemctl is-active buildkitd')).trim(), 'active');
  assert.match(await builder().sh('cat /etc/buildkit/buildkitd.toml'), /\[worker\.oci\]\n {2}enabled = false/);
  assert.is((await builder().sh('stat -c %a /root/.docker/config.json')).trim(), '600');
  const ref = refOf();
  const [build, ...more] = await builds();
  assert.equal(more, []);
  assert.equal([build?.ref, build?.push, build?.pushed, build?.namespace], [ref, true, `http://${registryHost()}`, 'k8s.io']);
  assert.equal(build?.dockerfile, readFileSync(join(context, 'Dockerfile'), 'utf8'));
  const config = skopeo(ref, '--config') as { config: { User: string; Entrypoint: string[] } };
  assert.is(config.config.User, '1000');
  assert.equal(config.config.Entrypoint, ['socat', 'tcp-l:2000,fork', 'exec:/bin/cat']);
  const daemonSet = JSON.parse(await builder().sh(`cat ${DAEMONSET}`)) as { spec: { template: { spec: { containers: Array<{ image: string }> } } } };
  assert.is(daemonSet.spec.template.spec.containers[0]?.image, ref);
  const fresh = await calls();
  assert.ok(
    fresh.some((c) => c.argv.includes('apply') && c.argv.includes('--server-side')),
    'applied server-side',
  );
  assert.ok(
    fresh.some((c) => c.argv.includes('rollout') && c.argv.some((a) => /daemonset/i.test(a))),
    'the rollout waited for',
  );
  assert.is((await builder().sh('ls /var/lib/ploy/echo-healthcheck')).trim(), '', 'the build context is removed after the build');
});

test('a re-run changes nothing, builds nothing, restarts nothing, applies nothing', async () => {
  const [buildsBefore, startsBefore] = [(await builds()).length, await starts()];
  const run = await site([]);
  assert.is(run.code, 0, shown(run));
  assert.is(changedOf(run), 0, shown(run));
  assert.is((await builds()).length, buildsBefore);
  assert.is(await starts(), startsBefore);
  assert.not.ok(
    (await calls()).some((c) => c.argv.includes('apply') && !c.argv.some((a) => a.startsWith('--dry-run'))),
    'an apply on a re-run',
  );
  assert.equal(mirror.downloads(), [TARBALL]);
});

test('a change to the Dockerfile: exactly one build, a new tag in the registry, a rolling update of the DaemonSet', async () => {
  const before = refOf();
  appendFileSync(join(context, 'Dockerfile'), 'LABEL org.opencontainers.image.description="TCP echo for the load balancer"\n');
  const after = refOf();
  assert.is.not(after, before);
  const count = (await builds()).length;
  const run = await site([]);
  assert.is(run.code, 0, shown(run));
  assertNoPassword(run);
  const fresh = (await builds()).slice(count);
  assert.equal(
    fresh.map((b) => b.ref),
    [after],
  );
  assert.ok(skopeo(after).Digest, 'the new tag is in the registry');
  const daemonSet = JSON.parse(await builder().sh(`cat ${DAEMONSET}`)) as { spec: { template: { spec: { containers: Array<{ image: string }> } } } };
  assert.is(daemonSet.spec.template.spec.containers[0]?.image, after);
  assert.ok(
    (await calls()).some((c) => c.argv.includes('rollout')),
    'the rolling update waited for',
  );
  const again = await runCli('playbooks/role.ts', ['echo-healthcheck', '-i', inventory], { home, boundMs: 120_000 });
  assert.is(again.code, 0, shown(again));
  assert.is(changedOf(again), 0, shown(again));
  assert.is((await builds()).length, count + 1, 'role.ts alone, same context: no second build');
});

test('buildkitd restarts when its config changes, and only then', async () => {
  const startsBefore = await starts();
  const run = await site(['-e', 'buildkit_containerd_namespace=k8s.io', '-e', 'buildkit_ready_timeout_s=30']);
  assert.is(run.code, 0, shown(run));
  assert.is(await starts(), startsBefore, 'a variable that is not in the config restarted buildkitd');
  await builder().sh("sed -i 's/gc = true/gc = false/' /etc/buildkit/buildkitd.toml");
  const drifted = await site([]);
  assert.is(drifted.code, 0, shown(drifted));
  assert.match(drifted.stdout, 'changed: [builder] buildkitd.toml');
  assert.is(await starts(), startsBefore + 1);
});

test("the image's command line, run for real with Debian's socat as user 1000, echoes on port 2000 to another host; stopped, the port refuses, a failed TCP health check", async () => {
  const builderRoot = `/proc/${bed.host('builder').leaderPid}/root`;
  copyFileSync(SOCAT, `${builderRoot}/usr/bin/socat`);
  await builder().sh('chmod 0755 /usr/bin/socat && socat -V >/dev/null');
  const entrypoint = JSON.parse(/^ENTRYPOINT (.*)$/m.exec(readFileSync(join(ROOT, 'files', 'echo-healthcheck', 'Dockerfile'), 'utf8'))?.[1] ?? '[]') as string[];
  assert.equal(entrypoint, ['socat', 'tcp-l:2000,fork', 'exec:/bin/cat']);
  const user = /^USER (\d+)$/m.exec(readFileSync(join(ROOT, 'files', 'echo-healthcheck', 'Dockerfile'), 'utf8'))?.[1];
  await builder().sh(
    `systemd-run --unit=echo-healthcheck-socat --uid=${user} ${entrypoint.map((w) => `'${w}'`).join(' ')} && for i in $(seq 50); do ss -ltn | grep -q ':2000 ' && exit 0; sleep 0.1; done; exit 1`,
  );
  const probe = (message: string) =>
    bed.sh(
      'registry',
      `python3 -c "
import socket, sys
try:
    s = socket.create_connection(('${bed.host('builder').ip}', 2000), 3)
except ConnectionRefusedError:
    print('refused'); sys.exit(0)
s.sendall(b'${message}\\n'); s.shutdown(socket.SHUT_WR)
data = b''
while True:
    chunk = s.recv(100)
    if not chunk: break
    data += chunk
print(data.decode().strip())
"`,
    );
  for (const message of ['health-check-1', 'health-check-2']) {
    const answer = await probe(message);
    assert.is(answer.stdout.trim(), message, JSON.stringify(answer));
  }
  const ps = await builder().sh('ps -o uid=,args= -C socat');
  assert.match(ps, /^\s*1000\s+\/usr\/bin\/socat tcp-l:2000,fork exec:\/bin\/cat$/m, ps);
  await builder().sh('systemctl stop echo-healthcheck-socat');
  assert.is((await probe('after-stop')).stdout.trim(), 'refused');
});

test.run();
