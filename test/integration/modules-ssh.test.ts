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
import { CommandError } from '../../lib/errors.ts';
import { command } from '../../lib/modules/command.ts';
import { copy } from '../../lib/modules/copy.ts';
import { file } from '../../lib/modules/file.ts';
import { shell } from '../../lib/modules/shell.ts';
import { template } from '../../lib/modules/template.ts';
import { secret } from '../../lib/secret.ts';
import { beforeAll } from '../support/before-all.ts';
import { startModuleBed, type BedModuleHost } from '../support/module-host.ts';

const projectDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');
const HOST = 'mod1';

let h: BedModuleHost;

beforeAll(test, async () => {
  h = await startModuleBed(HOST, { projectDir });
});

test.after(() => h?.stop());

const asDeploy = { become: false };
const onHost = async (command: string) => (await h.sh(command)).trim();

async function oneChannel(run: () => Promise<{ status: string }>): Promise<void> {
  const before = h.connection.channelsOpened;
  const result = await run();
  assert.is(result.status, 'ok');
  assert.is(h.connection.channelsOpened - before, 1, 'a run with nothing to do is one round trip');
}

test('become: command runs as root, without become as deploy', async () => {
  assert.is((await h.run(command, { cmd: 'id -u' })).data.stdout, '0');
  assert.is((await h.run(command, { cmd: 'id -un' }, asDeploy)).data.stdout, 'deploy');
});

test('file directory owned by deploy, mode 0750, created by root; then ok in one channel', async () => {
  const args = { path: '/srv/app/releases', state: 'directory' as const, owner: 'deploy', group: 'deploy', mode: '0750' };
  assert.is((await h.run(file, args)).status, 'changed');
  assert.is(await onHost('stat -c "%U:%G %a" /srv/app/releases'), 'deploy:deploy 750');
  assert.is(await onHost('stat -c "%U %a" /srv/app'), 'root 755', 'parents get the default mode');
  await oneChannel(() => h.run(file, args));
  await onHost('chmod 0777 /srv/app/releases && chown root /srv/app/releases');
  const planned = await h.run(file, args, { check: true });
  assert.equal(planned.changes, ['/srv/app/releases: owner root -> deploy, mode 0777 -> 0750']);
  assert.is(await onHost('stat -c "%U %a" /srv/app/releases'), 'root 777', 'check mode changed nothing');
  await h.run(file, args);
  assert.is(await onHost('stat -c "%U:%G %a" /srv/app/releases'), 'deploy:deploy 750');
});

test('copy a secret as root into a 0600 deploy-owned file: never readable by others, never on a command line', async () => {
  const token = secret('K10-ssh-copy-secret');
  const args = { dest: '/etc/ploy-token', content: token, owner: 'deploy', group: 'deploy', mode: '0600' };
  const sentBefore = h.sent.length;
  assert.is((await h.run(copy, args)).status, 'changed');
  assert.is(await onHost('stat -c "%U:%G %a" /etc/ploy-token && cat /etc/ploy-token'), 'deploy:deploy 600\nK10-ssh-copy-secret');
  for (const { command: line } of h.sent.slice(sentBefore)) assert.not.match(line, 'K10-ssh-copy-secret');
  assert.is(await onHost('ls -a /etc | grep -c "^\\.ploy-" || true'), '0', 'no temp file left');
  await oneChannel(() => h.run(copy, args));
  assert.is((await h.run(command, { cmd: ['cat', '/etc/ploy-token'] }, asDeploy)).data.stdout, 'K10-ssh-copy-secret', 'deploy owns it');
});

test('copy: drift shows in check mode with --diff and is not applied; converge fixes it, keeping a backup', async () => {
  const args = { dest: '/etc/ploy-app.conf', content: 'listen 80\nworkers 4\n', mode: '0644', backup: true };
  await h.run(copy, args);
  await onHost(`printf 'listen 8080\\nworkers 4\\n' > /etc/ploy-app.conf`);
  const planned = await h.run(copy, args, { check: true, diff: true });
  assert.is(planned.status, 'changed');
  assert.match(planned.diff ?? '', '-listen 8080\n+listen 80\n workers 4\n');
  assert.is(await onHost('head -1 /etc/ploy-app.conf'), 'listen 8080');
  const applied = await h.run(copy, args);
  assert.is(await onHost('cat /etc/ploy-app.conf'), 'listen 80\nworkers 4');
  assert.is(await onHost(`cat '${applied.data.backupFile ?? ''}'`), 'listen 8080\nworkers 4');
});

test('copy: 1 MB of binary content arrives byte for byte', async () => {
  const bytes = randomBytes(1024 * 1024);
  const args = { dest: '/var/tmp/blob.bin', content: bytes };
  const result = await h.run(copy, args);
  assert.is(await onHost('sha256sum < /var/tmp/blob.bin | cut -c1-64'), result.data.sha256);
  await oneChannel(() => h.run(copy, args));
});

test('without become, deploy writes its own files and is refused elsewhere', async () => {
  const args = { dest: '/home/deploy/notes.txt', content: 'mine\n' };
  await h.run(copy, args, asDeploy);
  assert.is(await onHost('stat -c "%U:%G %a" /home/deploy/notes.txt'), 'deploy:deploy 644');
  await oneChannel(() => h.run(copy, args, asDeploy));
  await rejects(
    () => h.run(copy, { dest: '/etc/not-allowed', content: 'x' }, asDeploy),
    (error: Error) => error instanceof CommandError && /writing \/etc\/not-allowed failed/.test(error.message),
  );
});

test('template: host vars plus extra vars, masked diff, one channel when converged', async () => {
  const vars = { token: secret('K10-ssh-template-secret'), server: { name: HOST } };
  const args = { src: 'web/secret.conf.hbs', dest: '/etc/ploy-k3s.yaml', mode: '0600' };
  const first = await h.run(template, args, { vars, diff: true });
  assert.is(first.status, 'changed');
  assert.not.match(first.diff ?? '', 'K10-ssh-template-secret');
  assert.is(await onHost('cat /etc/ploy-k3s.yaml'), `token: K10-ssh-template-secret\nserver: ${HOST}`);
  await oneChannel(() => h.run(template, args, { vars }));
});

test('file recurse, links and absent on the host', async () => {
  await onHost('mkdir -p /opt/tree/a/b && touch /opt/tree/a/b/f /opt/tree/g && chmod 0777 /opt/tree/a/b/f');
  const tree = { path: '/opt/tree', state: 'directory' as const, recurse: true, owner: 'deploy', mode: 'u=rwX,g=rX,o=' };
  await h.run(file, tree);
  const found = (await onHost('find /opt/tree -printf "%u %m %p\\n"')).split('\n').sort();
  assert.equal(found, ['deploy 640 /opt/tree/g', 'deploy 750 /opt/tree', 'deploy 750 /opt/tree/a', 'deploy 750 /opt/tree/a/b', 'deploy 750 /opt/tree/a/b/f'], 'X keeps the executable file executable');
  await oneChannel(() => h.run(file, tree));
  const link = { path: '/opt/current', state: 'link' as const, src: '/opt/tree' };
  await h.run(file, link);
  assert.is(await onHost('readlink /opt/current'), '/opt/tree');
  await oneChannel(() => h.run(file, link));
  await h.run(file, { path: '/opt/tree', state: 'absent' });
  assert.is(await onHost('test -e /opt/tree; echo $?'), '1');
});

test('shell with a guard and secret env over SSH with become', async () => {
  const args = { cmd: 'printf %s "$TOKEN" > /root/token-out', creates: '/root/token-out', env: { TOKEN: secret('env-secret-over-ssh') } };
  assert.is((await h.run(shell, args)).status, 'changed');
  assert.is(await onHost('cat /root/token-out'), 'env-secret-over-ssh');
  await oneChannel(() => h.run(shell, args));
});

test.run();
