/**
 * A real moto_server (EC2 + ELBv2 API) on 127.0.0.1 for one test file: its own free port, its own
 * state, stopped by PID. Debian 12 AMIs that the provisioning code looks up are loaded from a
 * fixture file (MOTO_AMIS_PATH), so the lookup is exercised for real.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

export interface MotoServer {
  readonly endpoint: string;
  readonly pid: number;
  /** Environment for code under test: test credentials, region and endpoint. */
  readonly env: Record<string, string>;
  stop(): Promise<void>;
}

export interface MotoAmi {
  readonly ami_id: string;
  readonly name: string;
  readonly owner_id: string;
  readonly architecture: 'x86_64' | 'arm64';
  readonly creation_date: string;
}

export const DEBIAN_OWNER = '136693071363';

/** Debian 12 amd64 images, older and newer, plus near misses that the lookup must not pick. */
export const FIXTURE_AMIS: readonly MotoAmi[] = [
  { ami_id: 'ami-0deb12a0000000001', name: 'debian-12-amd64-20240101-1600', owner_id: DEBIAN_OWNER, architecture: 'x86_64', creation_date: '2024-01-01T16:00:00.000Z' },
  { ami_id: 'ami-0deb12a0000000002', name: 'debian-12-amd64-20240601-1700', owner_id: DEBIAN_OWNER, architecture: 'x86_64', creation_date: '2024-06-01T17:00:00.000Z' },
  { ami_id: 'ami-0deb12a0000000003', name: 'debian-12-arm64-20240901-1700', owner_id: DEBIAN_OWNER, architecture: 'arm64', creation_date: '2024-09-01T17:00:00.000Z' },
  { ami_id: 'ami-0deb12a0000000004', name: 'debian-12-amd64-20240901-1700', owner_id: '123456789012', architecture: 'x86_64', creation_date: '2024-09-01T17:00:00.000Z' },
  { ami_id: 'ami-0deb11a0000000005', name: 'debian-11-amd64-20240901-1700', owner_id: DEBIAN_OWNER, architecture: 'x86_64', creation_date: '2024-09-01T17:00:00.000Z' },
];
export const NEWEST_DEBIAN_12 = 'ami-0deb12a0000000002';

/** The moto_server executable: on PATH, or where pyenv puts it. Every machine of this project has it. */
function motoServerPath(): string {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/root/.pyenv/shims'];
  for (const dir of dirs) {
    const candidate = join(dir, 'moto_server');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  throw new Error('moto_server not found on PATH or in /root/.pyenv/shims: install it with pip install "moto[server]" (tested with 5.2.1; see docs/aws.md)');
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Start moto_server. Use us-east-1: moto 5.2 parses the fixture's creation dates in place when it
 * loads the first region's AMIs, and then fails (HTTP 500) loading them for any other region.
 */
export async function startMoto(region = 'us-east-1', amis: readonly MotoAmi[] = FIXTURE_AMIS): Promise<MotoServer> {
  const executable = motoServerPath();
  const dir = mkdtempSync(join(tmpdir(), 'ploy-moto-'));
  const amisPath = join(dir, 'amis.json');
  writeFileSync(amisPath, JSON.stringify(amis.map(motoAmi)));
  const port = await freePort();
  const child = spawn(executable, ['-H', '127.0.0.1', '-p', String(port)], {
    env: { ...process.env, MOTO_AMIS_PATH: amisPath },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const endpoint = `http://127.0.0.1:${port}`;
  const stop = async () => {
    await stopChild(child);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitUntilAnswering(endpoint, child, () => stderr);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    endpoint,
    pid: child.pid as number,
    env: { AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', AWS_REGION: region, AWS_ENDPOINT_URL: endpoint },
    stop,
  };
}

function motoAmi(ami: MotoAmi) {
  return {
    ...ami,
    state: 'available',
    public: true,
    image_location: `${ami.owner_id}/${ami.name}`,
    sriov: 'simple',
    root_device_type: 'ebs',
    root_device_name: '/dev/xvda',
    description: ami.name,
    image_type: 'machine',
    platform: null,
    virtualization_type: 'hvm',
    hypervisor: 'xen',
  };
}

async function waitUntilAnswering(endpoint: string, child: ChildProcess, stderr: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`moto_server exited with ${child.exitCode}: ${stderr()}`);
    try {
      const response = await fetch(`${endpoint}/moto-api/`, { signal: AbortSignal.timeout(1000) });
      await response.arrayBuffer();
      return;
    } catch {
      await delay(200);
    }
  }
  throw new Error(`moto_server did not answer on ${endpoint} within 30 s: ${stderr()}`);
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || !child.pid) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  process.kill(child.pid, 'SIGTERM');
  const timeout = delay(5000).then(() => 'timeout');
  if ((await Promise.race([exited, timeout])) === 'timeout') {
    process.kill(child.pid, 'SIGKILL');
    await exited;
  }
}
