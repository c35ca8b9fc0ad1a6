/**
 * The buildkit and echo-healthcheck roles' pure parts: buildkitd's config (containerd worker on K3s's
 * socket and namespace, OCI worker off, plain HTTP only for an http:// registry), the credentials a
 * Secret, the context's tag (stable, and changed by any change), the DaemonSet and Service validated
 * against the Kubernetes schemas, and bad input refused before any host is contacted: no registry,
 * a registry URL that is not a URL, a context without its Dockerfile.
 */
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { InputError } from '../../lib/errors.ts';
import { prepareObjects } from '../../lib/k8s/prepare-objects.ts';
import { definePlay, type Role } from '../../lib/role.ts';
import { runPlay } from '../../lib/runner/run-play.ts';
import { isSecret, secret } from '../../lib/secret.ts';
import { buildkitdToml, containerdWorkerListed } from '../../roles/buildkit/daemon-config.ts';
import { dockerConfig, registryOf } from '../../roles/buildkit/registry.ts';
import { buildkit } from '../../roles/buildkit/role.ts';
import { BUILDKIT_DEFAULTS, buildkitSettings } from '../../roles/buildkit/vars.ts';
import { readBuildContext } from '../../roles/echo-healthcheck/build-context.ts';
import { echoObjects, NODE_PORT } from '../../roles/echo-healthcheck/objects.ts';
import { echoHealthcheck } from '../../roles/echo-healthcheck/role.ts';
import { CountingPool, localInventory, RecordingReporter, rejection, runOptions } from './runner-support.ts';

const SHA = 'b'.repeat(64);
const PASSWORD = 'registry-pw-7f3a';
const settings = (vars: Record<string, unknown> = {}) => buildkitSettings({ ...BUILDKIT_DEFAULTS, buildkit_sha256: SHA, ...vars }, 'k3');

function context(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'ploy-echo-context-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

test("buildkitd.toml: the containerd worker on K3s's socket and namespace, the OCI worker off; plain HTTP only for an http:// registry", () => {
  const https = buildkitdToml(settings(), registryOf({ k3s_registry_url: 'https://registry.example:5000' }, 'k3'));
  assert.match(https, /\[worker\.oci\]\n {2}enabled = false\n/);
  assert.match(https, /\[worker\.containerd\]\n {2}enabled = true\n {2}address = "\/run\/k3s\/containerd\/containerd\.sock"\n {2}namespace = "k8s\.io"\n/);
  assert.not.match(https, /http = true/);
  const http = buildkitdToml(settings(), registryOf({ k3s_registry_url: 'http://10.0.0.9:5000' }, 'k3'));
  assert.match(http, /\[registry\."10\.0\.0\.9:5000"\]\n {2}http = true\n/);
});

test("the registry credentials are a Secret in Docker's config.json format, the password never shown", () => {
  const registry = registryOf({ k3s_registry_url: 'https://registry.example:5000/', k3s_registry_username: 'ci', k3s_registry_password: secret(PASSWORD) }, 'k3');
  assert.ok(registry?.username && registry.password);
  const config = dockerConfig({ ...registry, username: registry.username, password: registry.password });
  assert.ok(isSecret(config));
  assert.not.match(JSON.stringify({ config }), PASSWORD);
  assert.equal(JSON.parse(config.reveal()), { auths: { 'registry.example:5000': { auth: Buffer.from(`ci:${PASSWORD}`).toString('base64') } } });
});

test('buildctl debug workers -v: only a containerd executor counts', () => {
  assert.ok(containerdWorkerListed('ID:\t\tabc\nLabels:\n\torg.mobyproject.buildkit.worker.executor:\t\tcontainerd\n'));
  assert.not.ok(containerdWorkerListed('ID:\t\tabc\nLabels:\n\torg.mobyproject.buildkit.worker.executor:\t\toci\n'));
  assert.not.ok(containerdWorkerListed(undefined));
});

test('the tag is a hash of the context: the same for the same files, new for a changed byte, a new file or an executable bit', () => {
  const files = { Dockerfile: 'FROM alpine\n', 'etc/motd': 'hi\n' };
  const a = readBuildContext(context(files), 'k3');
  assert.match(a.tag, /^[0-9a-f]{16}$/);
  assert.is(readBuildContext(context(files), 'k3').tag, a.tag);
  assert.equal(
    a.files.map((f) => f.path),
    ['Dockerfile', 'etc/motd'],
  );
  assert.is.not(readBuildContext(context({ ...files, Dockerfile: 'FROM alpine \n' }), 'k3').tag, a.tag);
  assert.is.not(readBuildContext(context({ ...files, extra: '' }), 'k3').tag, a.tag);
  const executable = context(files);
  chmodSync(join(executable, 'etc/motd'), 0o755);
  assert.is.not(readBuildContext(executable, 'k3').tag, a.tag);
  assert.ok(
    readBuildContext('echo-healthcheck', 'k3').files.some((f) => f.path === 'Dockerfile'),
    "the project's own context is found under files/",
  );
});

test('the DaemonSet and Service pass the Kubernetes schemas; probes on 2000, requests, control-plane taints tolerated, NodePort 32000 -> 2000 kept on the node', () => {
  const objects = echoObjects('kube-system', 'registry.example:5000/echo-healthcheck:0123456789abcdef');
  const valid = prepareObjects(
    objects.map((value, i) => ({ value, origin: { source: `objects[${i}]` } })),
    { validate: true },
  ).objects.map((p) => p.plain);
  assert.equal(
    valid.map((o) => o.kind),
    ['DaemonSet', 'Service'],
  );
  const [daemonSet, service] = objects as unknown as [
    { spec: { template: { spec: { tolerations: Array<{ key: string }>; containers: Array<Record<string, { tcpSocket?: { port: string }; requests?: object; runAsUser?: number }>> } } } },
    { spec: { type: string; externalTrafficPolicy: string; ports: Array<{ port: number; nodePort: number; targetPort: string }> } },
  ];
  const container = daemonSet.spec.template.spec.containers[0];
  assert.equal(container?.['readinessProbe']?.tcpSocket, { port: 'echo' });
  assert.equal(container?.['livenessProbe']?.tcpSocket, { port: 'echo' });
  assert.ok(container?.['resources']?.requests);
  assert.is(container?.['securityContext']?.runAsUser, 1000);
  assert.ok(daemonSet.spec.template.spec.tolerations.some((t) => t.key === 'node-role.kubernetes.io/control-plane'));
  assert.equal([service.spec.type, service.spec.externalTrafficPolicy, service.spec.ports[0]?.nodePort, service.spec.ports[0]?.port], ['NodePort', 'Local', NODE_PORT, 2000]);
  const broken = { ...objects[1], spec: { ...(objects[1] as { spec: object }).spec, ports: [{ port: 'two thousand' }] } };
  assert.throws(() => prepareObjects([{ value: broken, origin: { source: 'broken' } }], { validate: true }), /port/);
});

const inventory = (vars: Record<string, unknown> = {}) => localInventory({ k3: { buildkit_sha256: SHA, ...vars } }, { buildkit: ['k3'] });

async function badInput(role: Role, vars: Record<string, unknown>): Promise<Error> {
  const pool = new CountingPool();
  const error = await rejection(runPlay(definePlay({ name: 'build', roles: [role] }), runOptions(inventory(vars), pool), new RecordingReporter()));
  assert.is(pool.gets.size, 0, 'no host was contacted');
  assert.instance(error, InputError);
  assert.not.match(error.message, PASSWORD);
  return error;
}

test('bad input, before any host is touched: no registry, a registry URL that is not a URL, a context without its Dockerfile, two builders, no sha256', async () => {
  const registry = { k3s_registry_url: 'http://10.0.0.9:5000', k3s_registry_username: 'ci', k3s_registry_password: secret(PASSWORD) };
  const echo = echoHealthcheck as unknown as Role;
  assert.match((await badInput(echo, {})).message, /host k3, field "k3s_registry_url": no registry is configured/);
  for (const url of ['registry.example:5000', 'ftp://registry.example', 'https://registry.example/v2/path']) {
    assert.match((await badInput(echo, { ...registry, k3s_registry_url: url })).message, /field "k3s_registry_url": variable "k3s_registry_url" must be a registry's address/);
  }
  const noDockerfile = context({ 'entrypoint.sh': 'exec socat\n' });
  assert.match(
    (await badInput(echo, { ...registry, echo_healthcheck_context: noDockerfile })).message,
    new RegExp(`field "echo_healthcheck_context": the build context ${noDockerfile} has no Dockerfile`),
  );
  assert.match(
    (await badInput(echo, { ...registry, echo_healthcheck_context: '/nonexistent/context' })).message,
    /field "echo_healthcheck_context": the build context \/nonexistent\/context is not a directory/,
  );
  const pool = new CountingPool();
  const two = localInventory({ k3: registry, k4: registry }, { buildkit: ['k3', 'k4'] });
  const twoBuilders = await rejection(runPlay(definePlay({ name: 'build', roles: [echo] }), runOptions(two, pool), new RecordingReporter()));
  assert.match(twoBuilders.message, /field "buildkit": the echo image is built on one host, and the group buildkit has 2: k3, k4/);
  assert.is(pool.gets.size, 0);
  assert.match((await badInput(buildkit as unknown as Role, { ...registry, buildkit_sha256: undefined })).message, /field "buildkit_sha256": no sha256 is known for BuildKit v0\.16\.0/);
  assert.match((await badInput(buildkit as unknown as Role, { ...registry, k3s_registry_password: undefined })).message, /give both k3s_registry_username and k3s_registry_password/);
});

test.run();
