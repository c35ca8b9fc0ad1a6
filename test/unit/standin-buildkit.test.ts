/**
 * The STAND-IN buildkitd and buildctl (test/fixtures/standins/buildkit) behave like BuildKit where the
 * buildkit and echo-healthcheck roles observe it: buildkitd refuses a config without the containerd
 * worker, with the OCI worker on, or without its containerd socket; buildctl fails when the daemon
 * does not answer, lists the containerd worker, and a build pushes to a REAL registry (Debian's
 * docker-registry on 127.0.0.1 with htpasswd), over plain HTTP only when buildkitd.toml says so,
 * and not at all without credentials. Run here on the controller, each daemon in a temp directory.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
const STANDINS = join(import.meta.dirname, '..', 'fixtures', 'standins', 'buildkit');
const PASSWORD = 'standin-registry-pw';
const dir = mkdtempSync(join(tmpdir(), 'ploy-buildkit-standin-'));
const home = join(dir, 'home');
const containerd = join(dir, 'containerd.sock');
const started: ChildProcess[] = [];
let registry = '';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function until(what: string, check: () => Promise<boolean> | boolean): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${what}: not within 5 s`);
}

const answers = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, '127.0.0.1', () => socket.end(() => resolve(true)));
    socket.on('error', () => resolve(false));
  });

function config(name: string, lines: string[]): { toml: string; socket: string; root: string } {
  const root = join(dir, name);
  mkdirSync(root, { recursive: true });
  const socket = join(root, 'buildkitd.sock');
  const toml = join(root, 'buildkitd.toml');
  writeFileSync(toml, [`root = "${root}"`, '[grpc]', `  address = ["unix://${socket}"]`, ...lines, ''].join('\n'));
  return { toml, socket, root };
}

const GOOD = ['[worker.oci]', '  enabled = false', '[worker.containerd]', '  enabled = true', `  address = "${containerd}"`, '  namespace = "k8s.io"'];

function buildkitd(toml: string): { code: number; stderr: string } {
  const result = spawnSync(PYTHON, [join(STANDINS, 'buildkitd'), '--config', toml], { encoding: 'utf8', timeout: 10_000 });
  return { code: result.status ?? -1, stderr: result.stderr };
}

async function daemon(name: string, extra: string[] = []): Promise<string> {
  const { toml, socket } = config(name, [...GOOD, ...extra]);
  const child = spawn(PYTHON, [join(STANDINS, 'buildkitd'), '--config', toml], { stdio: 'ignore' });
  started.push(child);
  await until(`buildkitd ${name} listens`, () => existsSync(socket));
  return `unix://${socket}`;
}

function buildctl(args: string[], env: Record<string, string> = {}): { code: number; stdout: string; stderr: string } {
  const result = spawnSync(PYTHON, [join(STANDINS, 'buildctl'), ...args], { encoding: 'utf8', timeout: 30_000, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, ...env } });
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

test.before(async () => {
  execFileSync(PYTHON, ['-c', `import socket; socket.socket(socket.AF_UNIX).bind(${JSON.stringify(containerd)})`]);
  const port = await freePort();
  registry = `127.0.0.1:${port}`;
  const hash = execFileSync(PYTHON, ['-W', 'ignore', '-c', `import crypt; print(crypt.crypt(${JSON.stringify(PASSWORD)}, crypt.mksalt(crypt.METHOD_BLOWFISH)))`], { encoding: 'utf8' }).trim();
  writeFileSync(join(dir, 'htpasswd'), `ci:${hash}\n`);
  writeFileSync(
    join(dir, 'registry.yml'),
    `version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: ${join(dir, 'registry')}\nhttp:\n  addr: ${registry}\nauth:\n  htpasswd:\n    realm: test\n    path: ${join(dir, 'htpasswd')}\n`,
  );
  started.push(spawn('docker-registry', ['serve', join(dir, 'registry.yml')], { stdio: 'ignore' }));
  await until('docker-registry answers', () => answers(port));
  mkdirSync(join(home, '.docker'), { recursive: true });
  writeFileSync(join(home, '.docker', 'config.json'), JSON.stringify({ auths: { [registry]: { auth: Buffer.from(`ci:${PASSWORD}`).toString('base64') } } }));
  mkdirSync(join(dir, 'context'));
  writeFileSync(join(dir, 'context', 'Dockerfile'), 'FROM alpine:3.20\nRUN apk add --no-cache socat\nUSER 1000\nEXPOSE 2000\nENTRYPOINT ["socat", "tcp-l:2000,fork", "exec:/bin/cat"]\n');
});

test.after(() => {
  for (const child of started) child.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
});

test('buildkitd refuses the OCI worker on, no containerd worker, or no containerd socket, as buildkitd fails to start', () => {
  const oci = buildkitd(config('oci', ['[worker.containerd]', '  enabled = true', `  address = "${containerd}"`]).toml);
  assert.equal([oci.code, /OCI worker/.test(oci.stderr)], [1, true], oci.stderr);
  const none = buildkitd(config('none', ['[worker.oci]', '  enabled = false']).toml);
  assert.equal([none.code, /no worker found/.test(none.stderr)], [1, true], none.stderr);
  const missing = buildkitd(config('missing', ['[worker.oci]', '  enabled = false', '[worker.containerd]', '  enabled = true', `  address = "${dir}/absent.sock"`]).toml);
  assert.match(missing.stderr, `failed to connect to containerd at ${dir}/absent.sock`);
  assert.is(missing.code, 1);
});

test('buildctl: fails like buildctl when the daemon does not answer; lists the containerd worker and its namespace', async () => {
  const down = buildctl([`--addr=unix://${dir}/nobody.sock`, 'debug', 'workers']);
  assert.is(down.code, 1);
  assert.match(down.stderr, 'connection error');
  const address = await daemon('workers');
  const workers = buildctl([`--addr=${address}`, 'debug', 'workers', '-v']);
  assert.is(workers.code, 0, workers.stderr);
  assert.match(workers.stdout, /org\.mobyproject\.buildkit\.worker\.executor:\s+containerd\n/);
  assert.match(workers.stdout, /org\.mobyproject\.buildkit\.worker\.containerd\.namespace:\s+k8s\.io\n/);
});

test('a build pushes to the real registry over HTTP only where buildkitd.toml says http = true, with the credentials of ~/.docker/config.json', async () => {
  const build = (address: string, tag: string, env: Record<string, string> = {}) =>
    buildctl(
      [
        `--addr=${address}`,
        'build',
        '--frontend=dockerfile.v0',
        '--local',
        `context=${dir}/context`,
        '--local',
        `dockerfile=${dir}/context`,
        '--output',
        `type=image,name=${registry}/echo:${tag},push=true`,
      ],
      env,
    );
  const https = await daemon('https');
  const refused = build(https, 'one');
  assert.is(refused.code, 1);
  assert.match(refused.stderr, 'failed to push');
  const http = await daemon('http', [`[registry."${registry}"]`, '  http = true']);
  const noCredentials = build(http, 'one', { DOCKER_CONFIG: join(dir, 'nowhere') });
  assert.equal([noCredentials.code, /401 Unauthorized/.test(noCredentials.stderr)], [1, true], noCredentials.stderr);
  const pushed = build(http, 'one');
  assert.is(pushed.code, 0, pushed.stderr);
  const image = JSON.parse(execFileSync('skopeo', ['inspect', '--tls-verify=false', `--creds=ci:${PASSWORD}`, '--config', `docker://${registry}/echo:one`], { encoding: 'utf8' })) as {
    config: { User: string; Entrypoint: string[]; ExposedPorts: object };
  };
  assert.equal([image.config.User, image.config.Entrypoint, image.config.ExposedPorts], ['1000', ['socat', 'tcp-l:2000,fork', 'exec:/bin/cat'], { '2000/tcp': {} }]);
});

test.run();
