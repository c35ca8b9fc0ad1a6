/**
 * The five modules over SSH on a real test-bed host, logged in as `deploy` (uid 1000) and
 * becoming root with passwordless sudo: where owner, mode and become bugs show.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { rejects } from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Connection } from '../../lib/connection/connection.ts';
import { ConnectionPool } from '../../lib/connection/pool.ts';
import { CommandError } from '../../lib/errors.ts';
import type { Module, ModuleContext } from '../../lib/module.ts';
import { command } from '../../lib/modules/command.ts';
import { copy } from '../../lib/modules/copy.ts';
import { file } from '../../lib/modules/file.ts';
import { shell } from '../../lib/modules/shell.ts';
import { template } from '../../lib/modules/template.ts';
import { secret } from '../../lib/secret.ts';
import { executeTask } from '../../lib/task/execute.ts';
import { startTestbed, type Testbed } from '../testbed/bed.ts';
import { bedSpec } from './connection-bed.ts';
import { moduleContext, recordingConnection } from '../support/module-context.ts';

const projectDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');
const HOST = 'mod1';

let bed: Testbed;
let pool: ConnectionPool;
let conn: ReturnType<typeof recordingConnection>;

test.before(async () => {
  bed = await startTestbed({ hosts: [{ name: HOST }] });
  pool = new ConnectionPool({ knownHostsFile: bed.knownHostsPath, connectTimeoutMs: 10_000 });
  conn = recordingConnection(await pool.get(bedSpec(bed, HOST, 'deploy')));
});

test.after(async () => {
  await pool?.closeAll();
  await bed?.stop();
});

const asRoot = (options: { wantDiff?: boolean; vars?: Record<string, unknown> } = {}): ModuleContext => moduleContext(conn, { become: true, projectDir, ...options });
const asDeploy = (): ModuleContext => moduleContext(conn, { projectDir });
const converge = <A, R>(ctx: ModuleContext, module: Module<A, R>, args: A) => executeTask(ctx, module, args, { task: 't', check: false });
const check = <A, R>(ctx: ModuleContext, module: Module<A, R>, args: A) => executeTask(ctx, module, args, { task: 't', check: true });
const onHost = async (cmd: string) => {
  const r = await bed.sh(HOST, cmd);
  if (r.code !== 0) throw new Error(`${cmd}: ${r.stderr}`);
  return r.stdout.trim();
};

async function oneChannel(run: () => Promise<{ status: string }>, c: Connection = conn): Promise<void> {
  const before = c.channelsOpened;
  const result = await run();
  assert.is(result.status, 'ok');
  assert.is(c.channelsOpened - before, 1, 'a run with nothing to do is one round trip');
}

test('become: command runs as root, without become as deploy', async () => {
  assert.is((await converge(asRoot(), command, { cmd: 'id -u' })).data.stdout, '0');
  assert.is((await converge(asDeploy(), command, { cmd: 'id -un' })).data.stdout, 'deploy');
});

test('file directory owned by deploy, mode 0750, created by root; then ok in one channel', async () => {
  const args = { path: '/srv/app/releases', state: 'directory' as const, owner: 'deploy', group: 'deploy', mode: '0750' };
  assert.is((await converge(asRoot(), file, args)).status, 'changed');
  assert.is(await onHost('stat -c "%U:%G %a" /srv/app/releases'), 'deploy:deploy 750');
  assert.is(await onHost('stat -c "%U %a" /srv/app'), 'root 755', 'parents get the default mode');
  await oneChannel(() => converge(asRoot(), file, args));
  await onHost('chmod 0777 /srv/app/releases && chown root /srv/app/releases');
  const planned = await check(asRoot(), file, args);
  assert.equal(planned.changes, ['/srv/app/releases: owner root -> deploy, mode 0777 -> 0750']);
  assert.is(await onHost('stat -c "%U %a" /srv/app/releases'), 'root 777', 'check mode changed nothing');
  await converge(asRoot(), file, args);
  assert.is(await onHost('stat -c "%U:%G %a" /srv/app/releases'), 'deploy:deploy 750');
});

test('copy a secret as root into a 0600 deploy-owned file: never readable by others, never on a command line', async () => {
  const token = secret('K10-ssh-copy-secret');
  const args = { dest: '/etc/ploy-token', content: token, owner: 'deploy', group: 'deploy', mode: '0600' };
  const sentBefore = conn.sent.length;
  assert.is((await converge(asRoot(), copy, args)).status, 'changed');
  assert.is(await onHost('stat -c "%U:%G %a" /etc/ploy-token && cat /etc/ploy-token'), 'deploy:deploy 600\nK10-ssh-copy-secret');
  for (const { command: line } of conn.sent.slice(sentBefore)) assert.not.match(line, 'K10-ssh-copy-secret');
  assert.is(await onHost('ls -a /etc | grep -c "^\\.ploy-" || true'), '0', 'no temp file left');
  await oneChannel(() => converge(asRoot(), copy, args));
  assert.is((await converge(asDeploy(), command, { cmd: ['cat', '/etc/ploy-token'] })).data.stdout, 'K10-ssh-copy-secret', 'deploy owns it');
});

test('copy: drift shows in check mode with --diff and is not applied; converge fixes it, keeping a backup', async () => {
  const args = { dest: '/etc/ploy-app.conf', content: 'listen 80\nworkers 4\n', mode: '0644', backup: true };
  await converge(asRoot(), copy, args);
  await onHost(`printf 'listen 8080\\nworkers 4\\n' > /etc/ploy-app.conf`);
  const planned = await check(asRoot({ wantDiff: true }), copy, args);
  assert.is(planned.status, 'changed');
  assert.match(planned.diff ?? '', '-listen 8080\n+listen 80\n workers 4\n');
  assert.is(await onHost('head -1 /etc/ploy-app.conf'), 'listen 8080');
  const applied = await converge(asRoot(), copy, args);
  assert.is(await onHost('cat /etc/ploy-app.conf'), 'listen 80\nworkers 4');
  assert.is(await onHost(`cat '${applied.data.backupFile ?? ''}'`), 'listen 8080\nworkers 4');
});

test('copy: 1 MB of binary content arrives byte for byte', async () => {
  const bytes = randomBytes(1024 * 1024);
  const args = { dest: '/var/tmp/blob.bin', content: bytes };
  const result = await converge(asRoot(), copy, args);
  assert.is(await onHost('sha256sum < /var/tmp/blob.bin | cut -c1-64'), result.data.sha256);
  await oneChannel(() => converge(asRoot(), copy, args));
});

test('without become, deploy writes its own files and is refused elsewhere', async () => {
  const args = { dest: '/home/deploy/notes.txt', content: 'mine\n' };
  await converge(asDeploy(), copy, args);
  assert.is(await onHost('stat -c "%U:%G %a" /home/deploy/notes.txt'), 'deploy:deploy 644');
  await oneChannel(() => converge(asDeploy(), copy, args));
  await rejects(() => converge(asDeploy(), copy, { dest: '/etc/not-allowed', content: 'x' }), (error: Error) => error instanceof CommandError && /writing \/etc\/not-allowed failed/.test(error.message));
});

test('template: host vars plus extra vars, masked diff, one channel when converged', async () => {
  const vars = { token: secret('K10-ssh-template-secret'), server: { name: HOST } };
  const args = { src: 'web/secret.conf.hbs', dest: '/etc/ploy-k3s.yaml', mode: '0600' };
  const first = await executeTask(asRoot({ vars, wantDiff: true }), template, args, { task: 't', check: false });
  assert.is(first.status, 'changed');
  assert.not.match(first.diff ?? '', 'K10-ssh-template-secret');
  assert.is(await onHost('cat /etc/ploy-k3s.yaml'), `token: K10-ssh-template-secret\nserver: ${HOST}`);
  await oneChannel(() => executeTask(asRoot({ vars }), template, args, { task: 't', check: false }));
});

test('file recurse, links and absent on the host', async () => {
  await onHost('mkdir -p /opt/tree/a/b && touch /opt/tree/a/b/f /opt/tree/g && chmod 0777 /opt/tree/a/b/f');
  const tree = { path: '/opt/tree', state: 'directory' as const, recurse: true, owner: 'deploy', mode: 'u=rwX,g=rX,o=' };
  await converge(asRoot(), file, tree);
  const found = (await onHost('find /opt/tree -printf "%u %m %p\\n"')).split('\n').sort();
  assert.equal(found, ['deploy 640 /opt/tree/g', 'deploy 750 /opt/tree', 'deploy 750 /opt/tree/a', 'deploy 750 /opt/tree/a/b', 'deploy 750 /opt/tree/a/b/f'], 'X keeps the executable file executable');
  await oneChannel(() => converge(asRoot(), file, tree));
  const link = { path: '/opt/current', state: 'link' as const, src: '/opt/tree' };
  await converge(asRoot(), file, link);
  assert.is(await onHost('readlink /opt/current'), '/opt/tree');
  await oneChannel(() => converge(asRoot(), file, link));
  await converge(asRoot(), file, { path: '/opt/tree', state: 'absent' });
  assert.is(await onHost('test -e /opt/tree; echo $?'), '1');
});

test('shell with a guard and secret env over SSH with become', async () => {
  const args = { cmd: 'printf %s "$TOKEN" > /root/token-out', creates: '/root/token-out', env: { TOKEN: secret('env-secret-over-ssh') } };
  assert.is((await converge(asRoot(), shell, args)).status, 'changed');
  assert.is(await onHost('cat /root/token-out'), 'env-secret-over-ssh');
  await oneChannel(() => converge(asRoot(), shell, args));
});

test.run();
