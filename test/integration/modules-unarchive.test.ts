/**
 * unarchive on a real test-bed host: archives built here with the controller's tar and zip,
 * uploaded over stdin, read from the host itself, or downloaded by the host from an HTTP server
 * the test owns. The bed has no unzip: the zip test first shows the clear error, then installs the
 * controller's own unzip binary (same Debian 12) on the host.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { rejects } from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError, ModuleArgsError, TaskFailedError } from '../../lib/errors.ts';
import { unarchive, type UnarchiveArgs, type UnarchiveData } from '../../lib/modules/unarchive.ts';
import type { TaskResult } from '../../lib/result.ts';
import { beforeAll } from '../support/before-all.ts';
import { startModuleBed, type BedModuleHost } from '../support/module-host.ts';
import { startHttpFixture, type HttpFixture } from '../support/http-fixture.ts';

let h: BedModuleHost;
let http: HttpFixture;
const project = mkdtempSync(join(tmpdir(), 'ploy-unarchive-'));
const files = join(project, 'files');
const sha = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

/** Build files/NAME from a tree of {path: content} (a content starting with '->' is a symlink), with tar or zip. */
function archive(name: string, tree: Record<string, string>, modes: Record<string, number> = {}): string {
  const root = mkdtempSync(join(project, 'tree-'));
  for (const [path, content] of Object.entries(tree)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    if (content.startsWith('->')) symlinkSync(content.slice(2), join(root, path));
    else writeFileSync(join(root, path), content);
    chmodSync(join(root, path, '..'), 0o755);
  }
  for (const [path, mode] of Object.entries(modes)) chmodSync(join(root, path), mode);
  const out = join(files, name);
  if (name.endsWith('.zip'))
    execFileSync(
      '/usr/bin/python3',
      [
        '-m',
        'zipfile',
        '-c',
        out,
        ...Object.keys(tree)
          .map((p) => p.split('/')[0] as string)
          .filter((v, i, a) => a.indexOf(v) === i),
      ],
      { cwd: root },
    );
  else
    execFileSync('tar', [
      '-czf',
      out,
      '--owner=0',
      '--group=0',
      '-C',
      root,
      ...Object.keys(tree)
        .map((p) => p.split('/')[0] as string)
        .filter((v, i, a) => a.indexOf(v) === i),
    ]);
  return out;
}

const HELM = { 'linux-amd64/helm': '#!/bin/sh\necho helm v3.14.4\n', 'linux-amd64/README.md': 'read me\n', 'linux-amd64/LICENSE': '->README.md' };

beforeAll(test, async () => {
  mkdirSync(files);
  archive('helm.tar.gz', HELM, { 'linux-amd64/helm': 0o755 });
  h = await startModuleBed('ua1');
  http = await startHttpFixture(h.bridge, h.bridge);
  await h.sh('mkdir -p /opt/ua /opt/ua-v /opt/ua-o /opt/ua-z /opt/ua-r /opt/ua-u');
});
test.after(async () => {
  await http?.close();
  await h?.stop();
  rmSync(project, { recursive: true, force: true });
});

const run = (args: UnarchiveArgs, options: { check?: boolean } = {}) => h.run(unarchive, args, { projectDir: project, ...options });

test('extracts a controller tar.gz streamed over stdin; a second run compares in ONE channel and is ok', async () => {
  const args: UnarchiveArgs = { src: 'helm.tar.gz', dest: '/opt/ua' };
  const result = await run(args);
  assert.is(result.status, 'changed');
  assert.equal([...(result.data.entries ?? [])].sort(), ['linux-amd64', 'linux-amd64/LICENSE', 'linux-amd64/README.md', 'linux-amd64/helm'], 'every entry was new');
  assert.is(
    await h.sh('/opt/ua/linux-amd64/helm; readlink /opt/ua/linux-amd64/LICENSE; stat -c "%a %U" /opt/ua/linux-amd64/helm /opt/ua/linux-amd64'),
    'helm v3.14.4\nREADME.md\n755 root\n755 root\n',
  );
  assert.is(await h.sh('ls -A /opt/ua'), 'linux-amd64\n', 'no temp dir left');
  let again: TaskResult<UnarchiveData> | undefined;
  assert.is(await h.channels(async () => (again = await run(args))), 1);
  assert.equal([again?.status, again?.data.upToDate], ['ok', 'content']);
});

test('drift by hand: check mode names the differing entries and alters nothing; converge replaces only those', async () => {
  const args: UnarchiveArgs = { src: 'helm.tar.gz', dest: '/opt/ua' };
  await h.sh('echo hacked > /opt/ua/linux-amd64/README.md && chmod 0700 /opt/ua/linux-amd64/helm && echo mine > /opt/ua/linux-amd64/extra');
  const planned = await run(args, { check: true });
  assert.equal([planned.status, planned.changes], ['changed', ['extract helm.tar.gz into /opt/ua (2 entries differ: linux-amd64/README.md, linux-amd64/helm)']]);
  assert.is(await h.sh('cat /opt/ua/linux-amd64/README.md; stat -c %a /opt/ua/linux-amd64/helm; ls -A /opt/ua'), 'hacked\n700\nlinux-amd64\n', 'check mode changed nothing');
  const inode = await h.sh('stat -c %i /opt/ua/linux-amd64/LICENSE');
  const result = await run(args);
  assert.equal([...(result.data.entries ?? [])].sort(), ['linux-amd64/README.md', 'linux-amd64/helm']);
  assert.is(await h.sh('cat /opt/ua/linux-amd64/README.md /opt/ua/linux-amd64/extra; stat -c %a /opt/ua/linux-amd64/helm'), 'read me\nmine\n755\n', 'files not in the archive are left alone');
  assert.is(await h.sh('stat -c %i /opt/ua/linux-amd64/LICENSE'), inode, 'unchanged entries are not touched');
});

test('creates: an existing path means ok in one channel, with no upload', async () => {
  const args: UnarchiveArgs = { src: 'helm.tar.gz', dest: '/opt/ua', creates: '/opt/ua/linux-amd64/helm' };
  const sent = h.sent.length;
  let result: TaskResult<UnarchiveData> | undefined;
  assert.is(await h.channels(async () => (result = await run(args))), 1);
  assert.equal([result?.status, result?.data.upToDate], ['ok', 'creates']);
  assert.is(
    h.sent.slice(sent).every((s) => s.stdin === ''),
    true,
    'the archive was not sent',
  );
});

test('versionProbe: extracted until the installed version answers, again when a new version is asked', async () => {
  archive('tool-1.tgz', { 'bin/tool': '#!/bin/sh\necho tool v1.2.3\n' }, { 'bin/tool': 0o755 });
  archive('tool-2.tgz', { 'bin/tool': '#!/bin/sh\necho tool v1.2.4\n' }, { 'bin/tool': 0o755 });
  const v1: UnarchiveArgs = { src: 'tool-1.tgz', dest: '/opt/ua-v', versionProbe: { cmd: '/opt/ua-v/bin/tool --version', expect: 'v1.2.3' } };
  const first = await run(v1, { check: true });
  assert.match(first.changes[0] ?? '', /extract tool-1.tgz into \/opt\/ua-v \(version probe: .*failed \(rc=127\)\)/);
  await run(v1);
  assert.is(await h.sh('/opt/ua-v/bin/tool'), 'tool v1.2.3\n');
  assert.equal((await run(v1)).data.upToDate, 'versionProbe');
  const v2: UnarchiveArgs = { src: 'tool-2.tgz', dest: '/opt/ua-v', versionProbe: { cmd: '/opt/ua-v/bin/tool --version', expect: /v1\.2\.4$/ } };
  const planned = await run(v2, { check: true });
  assert.match(planned.changes[0] ?? '', 'version probe: "tool v1.2.3" does not match /v1\\.2\\.4$/');
  await run(v2);
  assert.is(await h.sh('/opt/ua-v/bin/tool'), 'tool v1.2.4\n');
  assert.is((await run(v2)).status, 'ok');
});

test('owner, group, mode for every entry; include and extraOpts (--strip-components)', async () => {
  const args: UnarchiveArgs = { src: 'helm.tar.gz', dest: '/opt/ua-o', owner: 'deploy', group: 'deploy', mode: 'u=rwX,g=rX,o=', include: ['linux-amd64/helm'], extraOpts: ['--strip-components=1'] };
  await run(args);
  assert.is(await h.sh('cd /opt/ua-o && ls -A && stat -c "%a %U %G" helm'), 'helm\n750 deploy deploy\n');
  assert.is((await run(args)).status, 'ok');
  await h.sh('chown root /opt/ua-o/helm');
  assert.equal((await run(args, { check: true })).changes, ['extract helm.tar.gz into /opt/ua-o (1 entry differs: helm)']);
});

test('zip: a clear error without unzip on the host; with it, extracted and then ok', async () => {
  archive('site.zip', { 'site/index.html': '<h1>hi</h1>\n', 'site/app.js': 'x()\n' });
  const args: UnarchiveArgs = { src: 'site.zip', dest: '/opt/ua-z' };
  await rejects(
    () => run(args),
    (error: Error) => error instanceof TaskFailedError && /needs unzip on the host/.test(error.message),
  );
  const installed = await h.connection.exec('cat > /usr/local/bin/unzip && chmod 0755 /usr/local/bin/unzip', { stdin: readFileSync('/usr/bin/unzip'), become: { user: 'root' } });
  assert.is(installed.code, 0, installed.stderr);
  assert.is((await run(args)).status, 'changed');
  assert.is(await h.sh('cat /opt/ua-z/site/index.html'), '<h1>hi</h1>\n');
  assert.is((await run(args)).status, 'ok');
});

test('remoteSrc: an archive already on the host', async () => {
  await h.connection.exec('cat > /tmp/remote.tgz', { stdin: readFileSync(join(files, 'helm.tar.gz')) });
  const args: UnarchiveArgs = { src: '/tmp/remote.tgz', remoteSrc: true, dest: '/opt/ua-r' };
  assert.is((await run(args)).status, 'changed');
  assert.is(await h.sh('/opt/ua-r/linux-amd64/helm; ls /tmp/remote.tgz'), 'helm v3.14.4\n/tmp/remote.tgz\n', 'the remote archive is kept');
  await rejects(() => run({ ...args, src: '/tmp/none.tgz' }), /the archive \/tmp\/none.tgz does not exist on the host/);
});

test('url: downloaded and verified on the host; a wrong sha256 extracts nothing', async () => {
  const bytes = readFileSync(join(files, 'helm.tar.gz'));
  http.route('/helm/helm-v3.14.4-linux-amd64.tar.gz', { body: bytes });
  const args: UnarchiveArgs = { url: `${http.base}/helm/helm-v3.14.4-linux-amd64.tar.gz`, sha256: sha(bytes), dest: '/opt/ua-u', creates: '/opt/ua-u/linux-amd64/helm' };
  await rejects(
    () => run({ ...args, sha256: sha('wrong') }),
    (error: Error) => error instanceof TaskFailedError && error.message.includes(`expected sha256 ${sha('wrong')}, got ${sha(bytes)}`),
  );
  assert.is(await h.sh('ls -A /opt/ua-u'), '');
  await run(args);
  assert.is(await h.sh('/opt/ua-u/linux-amd64/helm'), 'helm v3.14.4\n');
  assert.is((await run(args)).data.upToDate, 'creates');
});

test('bad arguments and a missing controller archive fail before any channel; a missing dest fails clearly', async () => {
  const before = h.connection.channelsOpened;
  await rejects(
    () => run({ src: 'helm.rar', dest: '/opt/ua' }),
    (error: Error) => error instanceof ModuleArgsError && /cannot tell the archive format/.test(error.message),
  );
  await rejects(() => run({ src: 'helm.tar.gz', url: 'http://x/y.tgz', dest: '/opt/ua' }), /exactly one of src and url/);
  await rejects(() => run({ url: 'http://x/y.tgz', dest: '/opt/ua' }), /field "sha256"/);
  await rejects(() => run({ src: 'helm.tar.gz', dest: '/opt/ua', versionProbe: { cmd: 'x', expect: '' } }), /field "versionProbe"/);
  await rejects(
    () => run({ src: 'missing.tgz', dest: '/opt/ua' }),
    (error: Error) => error instanceof InputError && /cannot read the archive .*files\/missing.tgz: no such file/.test(error.message),
  );
  assert.is(h.connection.channelsOpened, before);
  await rejects(() => run({ src: 'helm.tar.gz', dest: '/opt/none' }), /\/opt\/none is not a directory: create it first/);
});

test.run();
