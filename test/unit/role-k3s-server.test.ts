import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parse } from 'yaml';
import { InputError } from '../../lib/errors.ts';
import { checkSchema } from '../../lib/k8s/schema.ts';
import { definePlay, type Role } from '../../lib/role.ts';
import { runPlay } from '../../lib/runner/run-play.ts';
import { isSecret, secret } from '../../lib/secret.ts';
import { nodeReady, nodesReady, k3sServer } from '../../roles/k3s-server/role.ts';
import { registriesConfig, serverConfig } from '../../roles/k3s-server/server-config.ts';
import { compareK3sVersions, K3S_SHA256, k3sSha256, K3S_DEFAULTS, reportedK3sVersion } from '../../roles/k3s-server/vars.ts';
import { CountingPool, localInventory, RecordingReporter, rejection, runOptions } from './runner-support.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const SHA = 'a'.repeat(64);

test('versions: parsed from k3s --version, ordered by release then k3s build', () => {
  assert.is(reportedK3sVersion('k3s version v1.31.4+k3s1 (a1b2c3d4)\ngo version go1.22.9\n'), 'v1.31.4+k3s1');
  assert.ok(compareK3sVersions('v1.31.4+k3s1', 'v1.31.10+k3s1') < 0);
  assert.ok(compareK3sVersions('v1.31.4+k3s2', 'v1.31.4+k3s1') > 0);
  assert.is(compareK3sVersions('v1.32.5+k3s1', 'v1.32.5+k3s1'), 0);
});

test('k3s_sha256: one sha256 for k3s_version, or by version (and architecture), else the table', () => {
  const vars = (version: string, k3s_sha256?: unknown) => ({ ...K3S_DEFAULTS, k3s_version: version, ...(k3s_sha256 !== undefined ? { k3s_sha256 } : {}) }) as Parameters<typeof k3sSha256>[0];
  assert.is(k3sSha256(vars('v1.31.4+k3s1', SHA), 'arm64'), SHA);
  assert.is(k3sSha256(vars('v1.31.4+k3s1', { 'v1.31.4+k3s1': SHA }), 'amd64'), SHA);
  assert.is(k3sSha256(vars('v1.31.4+k3s1', { 'v1.31.4+k3s1': { arm64: SHA } }), 'arm64'), SHA);
  assert.is(k3sSha256(vars('v1.31.4+k3s1', { 'v1.31.4+k3s1': { arm64: SHA } }), 'amd64'), undefined);
  assert.is(k3sSha256(vars('v1.32.5+k3s1', { 'v1.31.4+k3s1': SHA }), 'amd64'), K3S_SHA256['v1.32.5+k3s1']?.amd64);
});

test('config.yaml: cluster-init on the first server, server and token on the others, written as a Secret when it holds one', () => {
  const first = serverConfig({ first: true, firstAddress: '10.0.0.1', nodeName: 's1', nodeIp: '10.0.0.1', tlsSan: ['lb.example', '10.0.0.1', 'lb.example'] });
  assert.equal(parse(first as string), { 'cluster-init': true, 'node-name': 's1', 'node-ip': '10.0.0.1', 'write-kubeconfig-mode': '0600', 'tls-san': ['lb.example', '10.0.0.1'] });
  const joiner = serverConfig({ first: false, firstAddress: '10.0.0.1', nodeName: 's2', nodeIp: '10.0.0.2', token: secret('K10abc::server:pw-123'), tlsSan: [] });
  assert.ok(isSecret(joiner));
  const text = isSecret(joiner) ? joiner.reveal() : joiner;
  assert.equal(parse(text), { server: 'https://10.0.0.1:6443', token: 'K10abc::server:pw-123', 'node-name': 's2', 'node-ip': '10.0.0.2', 'write-kubeconfig-mode': '0600', 'tls-san': [] });
  const registries = registriesConfig('https://registry.example:5000', 'ci', secret('reg-pw'));
  assert.equal(parse(isSecret(registries) ? registries.reveal() : registries), {
    mirrors: { 'registry.example:5000': { endpoint: ['https://registry.example:5000'] } },
    configs: { 'registry.example:5000': { auth: { username: 'ci', password: 'reg-pw' } } },
  });
});

test("the Traefik HelmChartConfig is valid against K3s's schema and keeps the redirect below every router", () => {
  const object = parse(readFileSync(join(ROOT, 'templates/k3s-server/traefik-config.yaml.hbs'), 'utf8')) as { apiVersion: string; kind: string; spec: { valuesContent: string } };
  const verdict = checkSchema(object);
  assert.ok(verdict.known && verdict.problems.length === 0, JSON.stringify(verdict));
  assert.equal(parse(object.spec.valuesContent), { ports: { web: { redirections: { entryPoint: { to: 'websecure', scheme: 'https', permanent: true, priority: 1 } } } } });
});

test('node Ready: only a Ready=True condition counts', () => {
  assert.ok(
    nodeReady(
      JSON.stringify({
        status: {
          conditions: [
            { type: 'MemoryPressure', status: 'False' },
            { type: 'Ready', status: 'True' },
          ],
        },
      }),
    ),
  );
  assert.not.ok(nodeReady(JSON.stringify({ status: { conditions: [{ type: 'Ready', status: 'False' }] } })));
  assert.not.ok(nodeReady('Error from server (NotFound): nodes "s1" not found'));
  assert.not.ok(nodeReady(undefined));
  const node = (status: string) => ({ status: { conditions: [{ type: 'Ready', status }] } });
  assert.ok(nodesReady(JSON.stringify({ items: [node('True'), node('True')] })));
  assert.not.ok(nodesReady(JSON.stringify({ items: [node('True'), node('Unknown')] })));
  assert.not.ok(nodesReady(JSON.stringify({ items: [] })));
  assert.not.ok(nodesReady('The connection to the server 127.0.0.1:6443 was refused'));
});

const servers = (names: string[], vars: Record<string, unknown> = {}) =>
  localInventory({ bastion: {}, ...Object.fromEntries(names.map((n) => [n, { k3s_sha256: SHA, nerdctl_sha256: SHA, ...vars }])) }, { k3s_servers: names, bastion: ['bastion'] });

async function badInput(inventory: ReturnType<typeof localInventory>, extraVars: Record<string, unknown> = {}): Promise<Error> {
  const pool = new CountingPool();
  const error = await rejection(runPlay(definePlay({ name: 'site', roles: [k3sServer as Role] }), runOptions(inventory, pool, { extraVars }), new RecordingReporter()));
  assert.is(pool.gets.size, 0, 'no host was contacted');
  return error;
}

test('bad input, before any host is touched: no k3s_servers, two servers, a version without sha256, a malformed token', async () => {
  const none = await badInput(localInventory({ bastion: {} }, { bastion: ['bastion'] }));
  assert.instance(none, InputError);
  assert.match(none.message, /role k3s-server: hosts "k3s_servers"/);
  const two = await badInput(servers(['s1', 's2']));
  assert.match(two.message, /host s1, field "k3s_servers": an HA K3s cluster with embedded etcd needs at least 3 servers .* has 2: s1, s2/);
  const version = await badInput(localInventory({ s1: {}, s2: {}, s3: {} }, { k3s_servers: ['s1', 's2', 's3'] }), { k3s_version: 'v1.30.0+k3s1', nerdctl_sha256: SHA });
  assert.match(version.message, /field "k3s_sha256": no sha256 is known for K3s v1.30.0\+k3s1: set k3s_sha256/);
  const pinned = K3S_SHA256['v1.32.5+k3s1']?.amd64 as string;
  const other = await badInput(servers(['s1', 's2', 's3']), { k3s_version: 'v1.31.4+k3s1', k3s_sha256: pinned });
  assert.match(other.message, /field "k3s_sha256": k3s_sha256 is the sha256 of K3s v1.32.5\+k3s1 amd64, not of k3s_version v1.31.4\+k3s1/);
  const byVersion = await badInput(servers(['s1', 's2', 's3']), { k3s_version: 'v1.31.5+k3s1', k3s_sha256: { 'v1.31.4+k3s1': SHA } });
  assert.match(byVersion.message, /field "k3s_sha256": k3s_sha256 lists v1.31.4\+k3s1, not k3s_version v1.31.5\+k3s1/);
  const badEntry = await badInput(servers(['s1', 's2', 's3']), { k3s_version: 'v1.31.4+k3s1', k3s_sha256: { 'v1.31.4+k3s1': { amd64: 'abc' } } });
  assert.match(badEntry.message, /field "k3s_sha256": k3s_sha256 by version: "v1.31.4\+k3s1" must be a K3s version with a sha256/);
  const format = await badInput(servers(['s1', 's2', 's3']), { k3s_version: '1.31' });
  assert.match(format.message, /field "k3s_version": k3s_version must look like v1.32.5\+k3s1, got "1.31"/);
  for (const token of ['short', 'K10notahash::server:x', 'has space in it, long enough']) {
    const error = await badInput(servers(['s1', 's2', 's3']), { k3s_token: secret(token) });
    assert.match(error.message, /field "k3s_token": k3s_token must be a K3s token/);
    assert.not.match(error.message, token);
  }
  const registry = await badInput(servers(['s1', 's2', 's3']), { k3s_registry_url: 'registry.example/path' });
  assert.match(registry.message, /field "k3s_registry_url": k3s_registry_url must be a registry's address/);
});

test.run();
