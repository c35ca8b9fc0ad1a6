/**
 * SIGINT and SIGTERM to a real CLI process while it writes a big file to a test-bed host (the
 * link to the host is throttled so the write takes seconds): the file on the host is the old or
 * the new one, whole (sha256), never a partial one; no temp file is left; the connection is
 * closed; the recap so far is printed; the exit code is 130 (SIGINT) or 143 (SIGTERM).
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { beforeAll } from '../support/before-all.ts';
import { startTestbed, type Testbed } from '../testbed/bed.ts';
import { cliHome, removeHome, runCli, shown, startCli, throttleToHost, waitUntil, type CliProcess } from './faults-cli.ts';

const PLAYBOOK = 'test/fixtures/faults/playbook.ts';
const DEST = '/var/tmp/ploy-big';
const SIZE = 16 * 1024 * 1024;
let bed: Testbed;
let home: string;
let files: string;
const versions: Record<'v1' | 'v2' | 'v3', { path: string; sha256: string }> = {} as never;

function bigCopy(version: keyof typeof versions): string[] {
  return ['-i', bed.inventoryPath, '--role', 'big-copy', '-l', 'web1', '-e', `big_src=${versions[version].path}`, '-e', `big_dest=${DEST}`];
}

async function onHost(command: string): Promise<string> {
  return (await bed.sh('web1', command)).stdout.trim();
}

const sha256OnHost = () => onHost(`sha256sum ${DEST} | cut -d' ' -f1`);
const tempFiles = () => onHost(`ls -A /var/tmp | grep '^\\.ploy-' || true`);
/** sshd's processes serving a login (the listener is "sshd: /usr/sbin/sshd -D [listener]"). */
const sshSessions = () => onHost(`pgrep -c -f '^sshd: root' || true`);

/** Start a copy of `version` and resolve once a good part (but not all) of it is on the host. */
async function midWrite(version: keyof typeof versions): Promise<CliProcess> {
  const run = startCli(PLAYBOOK, bigCopy(version), { home });
  await waitUntil('the temp file holds 2 MB', async () => Number((await onHost(`stat -c %s /var/tmp/.ploy-* 2>/dev/null | head -1`)) || 0) > 2 * 1024 * 1024, 40_000, 50);
  return run;
}

beforeAll(test, async () => {
  bed = await startTestbed({ hosts: [{ name: 'web1' }] });
  home = cliHome(bed);
  files = mkdtempSync(join(tmpdir(), 'ploy-interrupt-'));
  for (const version of ['v1', 'v2', 'v3'] as const) {
    const bytes = randomBytes(SIZE);
    const path = join(files, `${version}.bin`);
    writeFileSync(path, bytes);
    versions[version] = { path, sha256: createHash('sha256').update(bytes).digest('hex') };
  }
  const first = await runCli(PLAYBOOK, bigCopy('v1'), { home });
  assert.is(first.code, 0, shown(first));
  assert.is(await sha256OnHost(), versions.v1.sha256);
});

test.after(async () => {
  await bed?.stop();
  removeHome(home);
  if (files) rmSync(files, { recursive: true, force: true });
});

test('SIGINT during the write: the write finishes (the new file, whole), nothing new starts, recap printed, exit 130', async () => {
  await onHost(`rm -f ${DEST}.after`);
  const unthrottle = throttleToHost(bed, 'web1');
  try {
    const run = await midWrite('v2');
    run.child.kill('SIGINT');
    const done = await run.done;
    assert.is(done.code, 130, shown(done));
    assert.match(done.stderr, /SIGINT: letting running tasks finish/);
    assert.match(done.stdout, /^changed: \[web1\] Big file$/m, shown(done));
    assert.not.match(done.stdout, /After the big file/, 'no task started after the signal');
    assert.match(done.stdout, /PLAY RECAP[^\n]*\nweb1 +: ok=1 +changed=1 +unreachable=0 failed=0/);
    assert.match(done.stdout, /^Interrupted: the play was stopped before it finished\.$/m);
  } finally {
    unthrottle();
  }
  assert.is(await sha256OnHost(), versions.v2.sha256, 'the new file, whole');
  assert.is(await onHost(`stat -c '%a %G' ${DEST}`), '640 adm');
  assert.is(await tempFiles(), '', 'no temp file left');
  assert.is(await onHost(`test -e ${DEST}.after && echo yes || echo no`), 'no');
  await waitUntil('the SSH session is closed on the host', async () => (await sshSessions()) === '0', 5000);
});

test('a second SIGTERM stops at once: the cut write leaves the old file whole, no temp file, recap so far, exit 143', async () => {
  const unthrottle = throttleToHost(bed, 'web1');
  let done;
  try {
    const run = await midWrite('v3');
    run.child.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 200));
    run.child.kill('SIGTERM');
    done = await run.done;
  } finally {
    unthrottle();
  }
  assert.is(done.code, 143, shown(done));
  assert.match(done.stderr, /SIGTERM again: stopping now/);
  assert.match(done.stdout, /PLAY RECAP[^\n]*\nweb1 +: ok=0 +changed=0 +unreachable=0 failed=0/, shown(done));
  assert.match(done.stdout, /^Interrupted: the play was stopped before it finished\.$/m);
  assert.ok(done.ms < 20_000, `stopped at once: ${done.ms} ms`);
  await waitUntil('the SSH session is closed on the host', async () => (await sshSessions()) === '0', 5000);
  await waitUntil('the host removed its temp file', async () => (await tempFiles()) === '', 5000);
  const sha256 = await sha256OnHost();
  assert.ok(sha256 === versions.v2.sha256 || sha256 === versions.v3.sha256, 'the old or the new file, never a partial one');
  assert.is(sha256, versions.v2.sha256, 'cut mid-upload, so the old file stays');
});

test.run();
