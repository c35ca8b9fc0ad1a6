/**
 * The bad-input corpus (test/fixtures/bad-input/cases.ts) through the real CLI: every case is a
 * process run against two test-bed hosts (provision's against a loopback HTTP endpoint standing
 * in for AWS). Each exits 1 with exactly its ERROR line, and nothing changed anywhere: no marker
 * file (the play's first task) on any host, the hosts' /etc, /root and /var/tmp as they were,
 * no request to the endpoint. The controls (good input) show each check would see a change.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { badInputCases, fill, type BadInputCase } from '../fixtures/bad-input/cases.ts';
import { ed25519PublicKey } from '../support/aws-test-key.ts';
import { beforeAll } from '../support/before-all.ts';
import { startTestbed, type Testbed } from '../testbed/bed.ts';
import { cliHome, removeHome, ROOT, runCli, shown, type CliRun } from './faults-cli.ts';

const FIXTURES = join(ROOT, 'test/fixtures/bad-input');
const MARKER = '/var/tmp/ploy-bad-input-marker';
const HOSTS = ['web1', 'web2'];
let bed: Testbed;
let home: string;
let endpoint: Server;
const requests: string[] = [];

/** Everything on a host a run could have touched: path, type, size, mode, owner and mtime of each file. */
async function snapshot(): Promise<Record<string, string>> {
  const list = `find /etc /root /var/tmp -xdev -printf '%p %y %s %m %U:%G %T@\\n' 2>/dev/null | sort | sha256sum`;
  return Object.fromEntries(await Promise.all(HOSTS.map(async (host) => [host, (await bed.sh(host, list)).stdout.trim()])));
}

function runCase(badCase: Pick<BadInputCase, 'program' | 'args'>): Promise<CliRun> {
  const paths = { fixtures: FIXTURES, inventory: bed.inventoryPath };
  const args = badCase.args.map((arg) => fill(arg, paths));
  if (badCase.program === 'provision') {
    const { port } = endpoint.address() as AddressInfo;
    return runCli('playbooks/provision.ts', [...args, '--endpoint', `http://127.0.0.1:${port}`, '--public-key', join(home, 'id.pub'), '--inventory-out', join(home, 'out.yml')], {
      home,
      env: { AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', AWS_REGION: 'us-east-1', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
      boundMs: 60_000,
    });
  }
  return runCli('test/fixtures/bad-input/playbook.ts', ['-i', bed.inventoryPath, ...args], { home, boundMs: 60_000 });
}

/** Run items with at most `limit` at once (the machine has two cores). */
async function inBatches<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (let i = 0; i < items.length; i += limit) results.push(...(await Promise.all(items.slice(i, i + limit).map(work))));
  return results;
}

beforeAll(test, async () => {
  bed = await startTestbed({ hosts: HOSTS.map((name) => ({ name })) });
  home = cliHome(bed);
  writeFileSync(join(home, 'id.pub'), `${ed25519PublicKey('operator@laptop')}\n`);
  endpoint = createServer((request, response) => {
    requests.push(`${request.method} ${request.url}`);
    request.resume();
    response.writeHead(400, { 'content-type': 'text/xml' });
    response.end('<Response><Errors><Error><Code>AuthFailure</Code><Message>test endpoint</Message></Error></Errors></Response>');
  });
  await new Promise<void>((resolve) => endpoint.listen(0, '127.0.0.1', resolve));
});

test.after(async () => {
  await bed?.stop();
  removeHome(home);
  endpoint?.close();
});

test(`every case of the corpus (${badInputCases.length}) exits 1 naming what and where, and changes nothing on any host`, async () => {
  const before = await snapshot();
  const runs = await inBatches(badInputCases, 3, runCase);
  const paths = { fixtures: FIXTURES, inventory: bed.inventoryPath };
  runs.forEach((run, i) => {
    const badCase = badInputCases[i] as BadInputCase;
    assert.is(run.code, 1, `${badCase.name}: ${shown(run)}`);
    assert.is(run.stderr.split('\n')[0], fill(badCase.message, paths), badCase.name);
    assert.not.match(run.stderr, /^\s+at /m, `${badCase.name}: no stack trace`);
    assert.is(run.stdout, '', `${badCase.name}: no play started`);
  });
  for (const host of HOSTS) assert.is((await bed.sh(host, `test -e ${MARKER} && echo present || echo absent`)).stdout.trim(), 'absent', host);
  assert.equal(await snapshot(), before, 'the hosts are exactly as they were');
  assert.equal(requests, [], 'provision sent nothing to the endpoint');
});

test('controls: good input reaches the hosts (marker written, snapshot changed) and the endpoint', async () => {
  const before = await snapshot();
  const good = await runCase({ program: 'playbook', args: ['-e', 'app_port=8080'] });
  assert.is(good.code, 0, shown(good));
  for (const host of HOSTS) assert.is((await bed.sh(host, `cat ${MARKER}`)).stdout, `reached by ${host}\n`);
  const after = await snapshot();
  for (const host of HOSTS) assert.is.not(after[host], before[host], `the snapshot sees the marker on ${host}`);

  const provision = await runCase({ program: 'provision', args: ['--operator-cidr', '10.0.0.0/24'] });
  assert.is.not(provision.code, 0, shown(provision));
  assert.ok(requests.length > 0, 'a valid CIDR gets as far as calling the endpoint');
});

test.run();
