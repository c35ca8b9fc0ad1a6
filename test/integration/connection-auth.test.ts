import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { ConnectionPool } from '../../lib/connection/pool.ts';
import { InputError, UnreachableError } from '../../lib/errors.ts';
import { secret } from '../../lib/secret.ts';
import { beforeAll } from '../support/before-all.ts';
import { startTestbed, TESTBED_USERS, type Testbed } from '../testbed/bed.ts';
import { bedSpec, failure } from '../support/bed-connection.ts';

let bed: Testbed;
let agent: ChildProcess | undefined;
let encryptedKey: string;
const savedAgentSocket = process.env['SSH_AUTH_SOCK'];

beforeAll(test, async () => {
  bed = await startTestbed({ hosts: [{ name: 'a1' }] });
  encryptedKey = join(bed.dir, 'id_encrypted');
  copyFileSync(bed.keyPath, encryptedKey);
  execFileSync('ssh-keygen', ['-q', '-p', '-N', 'key-passphrase', '-f', encryptedKey]);
});

test.after(async () => {
  if (agent?.pid) process.kill(agent.pid, 'SIGTERM');
  if (savedAgentSocket === undefined) delete process.env['SSH_AUTH_SOCK'];
  else process.env['SSH_AUTH_SOCK'] = savedAgentSocket;
  await bed?.stop();
});

async function whoami(pool: ConnectionPool, spec: ReturnType<typeof bedSpec>): Promise<string> {
  try {
    return (await (await pool.get(spec)).exec('id -un')).stdout.trim();
  } finally {
    await pool.closeAll();
  }
}

test('an encrypted key without ssh-agent is an InputError asking for ssh-agent', async () => {
  delete process.env['SSH_AUTH_SOCK'];
  const spec = bedSpec(bed, 'a1');
  spec.endpoint.privateKeyFile = encryptedKey;
  const { error } = await failure(() => new ConnectionPool({ knownHostsFile: bed.knownHostsPath }).get(spec));
  assert.instance(error, InputError);
  assert.match(error.message, 'host a1');
  assert.match(error.message, `private key ${encryptedKey} is encrypted`);
  assert.match(error.message, `ssh-add ${encryptedKey}`);
  assert.match(error.message, 'SSH_AUTH_SOCK');
});

test('an encrypted key held by ssh-agent (SSH_AUTH_SOCK) logs in through the agent', async () => {
  const socket = join(bed.dir, 'agent.sock');
  agent = spawn('ssh-agent', ['-D', '-a', socket], { stdio: 'ignore' });
  for (let i = 0; i < 50 && !existsSync(socket); i++) await new Promise((resolve) => setTimeout(resolve, 50));
  execFileSync('ssh-add', ['-q', bed.keyPath], { env: { ...process.env, SSH_AUTH_SOCK: socket }, stdio: 'ignore' });
  process.env['SSH_AUTH_SOCK'] = socket;
  const spec = bedSpec(bed, 'a1', 'deploy');
  spec.endpoint.privateKeyFile = encryptedKey;
  assert.is(await whoami(new ConnectionPool({ knownHostsFile: bed.knownHostsPath }), spec), 'deploy');
  delete process.env['SSH_AUTH_SOCK'];
});

test('password login (ansible_password) when no key is accepted', async () => {
  const spec = bedSpec(bed, 'a1', 'alice');
  delete spec.endpoint.privateKeyFile;
  spec.endpoint.password = secret(TESTBED_USERS.alice.sudoPassword);
  assert.is(await whoami(new ConnectionPool({ knownHostsFile: bed.knownHostsPath }), spec), 'alice');

  spec.endpoint.password = secret('not-the-login-password');
  const { error } = await failure(() => new ConnectionPool({ knownHostsFile: bed.knownHostsPath }).get(spec));
  assert.instance(error, UnreachableError);
  assert.match(error.message, 'authentication failed for alice@');
  assert.match(error.message, 'password');
  assert.not.match(error.message, 'not-the-login-password');
});

test.run();
