/**
 * The cert-manager and nginx-demo roles on the test bed: a bastion with the STAND-IN kubectl and helm
 * (test/fixtures/bin) and the stand-ins' "cluster", reached through the operator's kubeconfig as the
 * bastion role leaves it; cert-manager's chart from a Helm repository the test serves (a STAND-IN
 * chart: plain objects, its CRDs and Deployments, which the stand-in helm stores). Check mode on a
 * fresh cluster, converge, a no-change re-run (no helm upgrade, no apply: the stand-ins' call log),
 * a values change and a version change (one upgrade each), the ACME email in no output (--diff
 * included), removal by label with nginx_demo_enabled: false, and bad input before any connection.
 * The tests run in order: each leaves the cluster as the next one expects it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { stringify } from 'yaml';
import { ConnectionPool } from '../../lib/connection/pool.ts';
import { InputError } from '../../lib/errors.ts';
import { inventoryFromYaml } from '../../lib/inventory/load.ts';
import { definePlay, type Role } from '../../lib/role.ts';
import { runPlay, type RunSummary } from '../../lib/runner/run-play.ts';
import { quote } from '../../lib/shell.ts';
import type { Vars } from '../../lib/vars.ts';
import { certManager } from '../../roles/cert-manager/role.ts';
import { nginxDemo } from '../../roles/nginx-demo/role.ts';
import { beforeAll } from '../support/before-all.ts';
import { type HttpFixture } from '../support/http-fixture.ts';
import { startCertManagerChartRepo } from '../support/standin-chart-repo.ts';
import { bedRootShell } from '../support/k3s-by-hand.ts';
import { ObservedPool, Recorder } from '../support/observed-run.ts';
import { callWatcher, installStandins, K3S_KUBECONFIG, STANDIN_STATE, type StandinCall } from '../support/standins.ts';
import { startTestbed, TESTBED_USERS, type Testbed } from '../testbed/bed.ts';
import { ROOT } from './faults-cli.ts';

const EMAIL = 'acme-owner@example.org';
const HOST = 'demo.example.test';
const VERSIONS = ['v1.16.2', 'v1.16.3'];
const OPERATOR_KUBECONFIG = '/home/operator/.kube/config';

let bed: Testbed;
let repo: HttpFixture;
let calls: () => Promise<StandinCall[]>;
const work = mkdtempSync(join(tmpdir(), 'ploy-cert-manager-'));
const root = () => bedRootShell(bed, 'bastion');

interface Run {
  summary: RunSummary;
  reporter: Recorder;
  pool: ObservedPool;
}

function inventoryText(vars: Vars = {}): string {
  const bastion: Vars = { ansible_host: bed.host('bastion').ip, cert_manager_acme_email: EMAIL, cert_manager_chart_repo: repo.base, nginx_demo_host: HOST, ...vars };
  for (const [name, value] of Object.entries(bastion)) if (value === undefined) delete bastion[name];
  return stringify({ all: { vars: { ansible_user: TESTBED_USERS.deploy.name, ansible_ssh_private_key_file: bed.keyPath }, children: { bastion: { hosts: { bastion } } } } });
}

const play = () => definePlay({ name: 'cluster workloads', roles: [certManager as unknown as Role, nginxDemo as unknown as Role] });

async function run(options: { check?: boolean; diff?: boolean; extraVars?: Vars; vars?: Vars } = {}): Promise<Run> {
  const reporter = new Recorder();
  const pool = new ObservedPool(new ConnectionPool({ knownHostsFile: bed.knownHostsPath, connectTimeoutMs: 10_000 }));
  const summary = await runPlay(
    play(),
    {
      inventory: inventoryFromYaml(inventoryText(options.vars), 'workloads.yml'),
      check: options.check ?? false,
      diff: options.diff ?? false,
      forks: 5,
      extraVars: options.extraVars ?? {},
      projectDir: ROOT,
      connections: pool,
    },
    reporter,
  );
  return { summary, reporter, pool };
}

function results(r: Run): string[] {
  return r.reporter.ends().map((e) => `${e.result.status} ${e.task}`);
}
function resultOf(r: Run, task: RegExp) {
  const end = r.reporter.ends().find((e) => task.test(e.task));
  if (!end) throw new Error(`no task matching ${task} ran:\n${results(r).join('\n')}`);
  return end.result;
}
const line = (c: StandinCall) => [c.tool, ...c.argv].join(' ');
const upgrades = (list: StandinCall[]) => list.filter((c) => c.tool === 'helm' && c.argv[0] === 'upgrade');
const applies = (list: StandinCall[]) => list.filter((c) => c.tool === 'kubectl' && c.argv.includes('apply'));
const objectFiles = async () => (await root().sh(`ls ${STANDIN_STATE}/kubectl/objects`)).trim().split('\n');
/** The email may be in the cluster (the stand-in's state), never in what ploy reports. */
const assertNoEmail = (r: Run) => assert.not.ok(JSON.stringify(r.reporter.events).includes(EMAIL), 'the ACME email in an event');

beforeAll(test, async () => {
  bed = await startTestbed({ hosts: [{ name: 'bastion' }] });
  await installStandins(root());
  // What the bastion role leaves: the operator's kubeconfig reaching the cluster.
  await root().sh(
    `useradd -m -g operator -s /bin/bash operator && install -d -o operator -m 0700 /home/operator/.kube && install -o operator -m 0600 ${K3S_KUBECONFIG} ${OPERATOR_KUBECONFIG} && rm /root/.kube/config`,
  );
  repo = await startCertManagerChartRepo(bed.host('bastion').ip.replace(/\.\d+$/, '.1'), VERSIONS);
  calls = callWatcher(root());
});
test.after(async () => {
  await repo?.close();
  await bed?.stop();
  rmSync(work, { recursive: true, force: true });
});

test('bad input is refused before any host is contacted: an ACME email that is not an address, a host that is not a DNS name, an unknown issuer', async () => {
  for (const [vars, message] of [
    [{ cert_manager_acme_email: 'acme-owner at example' }, 'host bastion, field "cert_manager_acme_email": variable "cert_manager_acme_email" is not an email address'],
    [{ nginx_demo_host: 'https://demo.example.test' }, 'host bastion, field "nginx_demo_host"'],
    [{ nginx_demo_issuer: 'letsencrypt' }, 'host bastion, field "nginx_demo_issuer"'],
  ] as const) {
    const pool = new ObservedPool(new ConnectionPool({ knownHostsFile: bed.knownHostsPath }));
    const error = await runPlay(
      play(),
      { inventory: inventoryFromYaml(inventoryText(vars), 'workloads.yml'), check: false, diff: false, forks: 5, extraVars: {}, projectDir: ROOT, connections: pool },
      new Recorder(),
    ).then(
      () => assert.unreachable('the run should be refused'),
      (e: unknown) => e,
    );
    assert.instance(error, InputError);
    assert.match((error as Error).message, message);
    assert.not.match((error as Error).message, 'acme-owner');
    assert.is(pool.connections.size, 0, 'no connection was opened');
  }
  assert.equal(await calls(), []);
});

test('--check before K3s (the operator has no kubeconfig yet): every task "cannot predict", saying the cluster does not answer', async () => {
  await root().sh(`mv ${OPERATOR_KUBECONFIG} ${OPERATOR_KUBECONFIG}.away`);
  try {
    const r = await run({ check: true });
    assert.is(r.summary.exitCode, 0, r.reporter.problems());
    assert.equal(
      results(r).map((l) => l.split(' ')[0]),
      ['skipped', 'skipped', 'skipped', 'skipped'],
    );
    for (const end of r.reporter.ends()) assert.match(end.result.msg ?? '', /^cannot predict.*(cluster does not answer|cluster unreachable)/, end.task);
  } finally {
    await root().sh(`mv ${OPERATOR_KUBECONFIG}.away ${OPERATOR_KUBECONFIG}`);
  }
  await calls();
});

test('--check on a fresh cluster: the release and the built-in objects as changes, what needs cert-manager\'s kinds "cannot predict"; nothing installed or applied', async () => {
  const r = await run({ check: true, diff: true });
  assert.is(r.summary.exitCode, 0, r.reporter.problems());
  assert.equal(results(r), [
    'changed cert-manager v1.16.2',
    'skipped ClusterIssuers letsencrypt-staging, letsencrypt-production',
    `changed nginx-demo: page, nginx x2, Service, Ingress for ${HOST}`,
    `skipped nginx-demo: certificate for ${HOST} from letsencrypt-staging`,
  ]);
  assert.match(resultOf(r, /^ClusterIssuers/).msg ?? '', /^cannot predict.*kind ClusterIssuer \(cert-manager\.io\/v1\) is not served/);
  assert.match(resultOf(r, /certificate for/).msg ?? '', /^cannot predict.*kind Certificate/);
  assert.match(resultOf(r, /^nginx-demo: page/).changes[0] ?? '', 'ConfigMap default/nginx-demo-page');
  const made = await calls();
  assert.equal([upgrades(made), applies(made)], [[], []], made.map(line).join('\n'));
  assert.ok(
    made.every((c) => c.argv.some((a) => a === `--kubeconfig=${OPERATOR_KUBECONFIG}`)),
    "every call with the operator's kubeconfig",
  );
  assert.equal(await objectFiles(), ['']);
  assertNoEmail(r);
});

test('converge: cert-manager installed once with its CRDs, the ClusterIssuers tried until the webhook answers, the demo applied server-side and waited for', async () => {
  await root().sh(`echo 2 > ${STANDIN_STATE}/kubectl/webhook-refusals`);
  const r = await run();
  assert.is(r.summary.exitCode, 0, r.reporter.problems());
  assert.ok(
    results(r).every((l) => l.startsWith('changed ')),
    results(r).join('\n'),
  );
  const retried = r.reporter.events.filter((e) => e.type === 'task-retry');
  // A webhook that does not answer refuses the server-side diff itself (a dry run goes through
  // admission): the first two tries fail at their diff, the third's diff and apply go through.
  const issuers = 'ClusterIssuers letsencrypt-staging, letsencrypt-production';
  assert.equal(
    retried.map((e) => [e.task, /failed calling webhook "webhook\.cert-manager\.io"/.test(e.msg)]),
    [
      [issuers, true],
      [issuers, true],
    ],
  );
  assert.is(resultOf(r, /^ClusterIssuers/).attempts, 3, 'refused twice, then the webhook answered');
  assert.is((await root().sh(`cat ${STANDIN_STATE}/kubectl/webhook-refusals`)).trim(), '0');
  const made = await calls();
  assert.equal(
    upgrades(made).map((c) => c.argv.slice(0, 3)),
    [['upgrade', '--install', 'cert-manager']],
  );
  assert.ok(upgrades(made)[0]?.argv.includes('--version=v1.16.2') && upgrades(made)[0]?.argv.includes('--wait'), line(upgrades(made)[0] as StandinCall));
  assert.equal(JSON.parse(upgrades(made)[0]?.stdin ?? '{}'), { crds: { enabled: true, keep: true } });
  assert.ok(applies(made).every((c) => c.argv.includes('--server-side')));
  assert.ok(
    made.some((c) => c.tool === 'kubectl' && c.argv.includes('rollout') && c.argv.includes('deployment.apps/nginx-demo')),
    'the rollout waited for',
  );
  assert.ok(
    made.some((c) => c.tool === 'kubectl' && c.argv.includes('wait') && c.argv.some((a) => /certificate.*nginx-demo/.test(a))),
    'the certificate waited for',
  );
  const objects = await objectFiles();
  for (const expected of [
    'cert-manager.io.v1.ClusterIssuer..letsencrypt-staging',
    'cert-manager.io.v1.ClusterIssuer..letsencrypt-production',
    'cert-manager.io.v1.Certificate.default.nginx-demo',
    'apps.v1.Deployment.default.nginx-demo',
    'v1.Service.default.nginx-demo',
    'v1.ConfigMap.default.nginx-demo-page',
    'networking.k8s.io.v1.Ingress.default.nginx-demo',
    'apps.v1.Deployment.cert-manager.cert-manager-webhook',
  ]) {
    assert.ok(objects.includes(expected), `${expected} in ${objects.join(', ')}`);
  }
  const issuer = JSON.parse(await root().sh(`cat ${STANDIN_STATE}/kubectl/objects/cert-manager.io.v1.ClusterIssuer..letsencrypt-staging`)) as { spec: { acme: { email: string; solvers: unknown } } };
  assert.equal([issuer.spec.acme.email, issuer.spec.acme.solvers], [EMAIL, [{ http01: { ingress: { ingressClassName: 'traefik' } } }]]);
  assertNoEmail(r);
});

test('a re-run changes nothing: no helm upgrade, no apply', async () => {
  const r = await run({ diff: true });
  assert.is(r.summary.exitCode, 0, r.reporter.problems());
  assert.equal(Object.fromEntries(Object.entries(r.summary.stats).map(([host, s]) => [host, s.changed])), { bastion: 0 });
  const made = await calls();
  assert.equal([upgrades(made), applies(made)], [[], []], made.map(line).join('\n'));
  assert.ok(
    made.every((c) => !c.argv.includes('delete')),
    'nothing pruned',
  );
  // helm's list and values; the ClusterIssuers' diff alone (its manifest holds the ACME email, a
  // secret, which never goes in a batch's command line); nginx-demo's two diffs (with their prune
  // listings) in one round trip prefetched while cert-manager ran.
  const trips = r.reporter.commands().filter((c) => !c.batched);
  assert.is(trips.length, 3, trips.map((c) => c.command.slice(0, 120)).join('\n'));
  assert.match(trips[1]?.command ?? '', /^kubectl diff --server-side --field-manager=ploy /);
  assert.match(trips[2]?.command ?? '', /^# 2 probes in one round trip, prefetched while an earlier role ran$/);
  assertNoEmail(r);
});

test('a values change upgrades once, then nothing; a version change upgrades once, in place (no uninstall)', async () => {
  const values = { cert_manager_values: { replicaCount: 2 } };
  const changed = await run({ extraVars: values });
  assert.equal(
    results(changed).filter((l) => !l.startsWith('ok ')),
    ['changed cert-manager v1.16.2'],
  );
  assert.is(upgrades(await calls()).length, 1);
  const again = await run({ extraVars: values });
  assert.is(again.summary.stats['bastion']?.changed, 0);
  assert.is(upgrades(await calls()).length, 0);

  const newer = await run({ extraVars: { ...values, cert_manager_version: 'v1.16.3' } });
  assert.equal(
    results(newer).filter((l) => !l.startsWith('ok ')),
    ['changed cert-manager v1.16.3'],
  );
  const made = await calls();
  assert.equal(
    upgrades(made).map((c) => c.argv.find((a) => a.startsWith('--version='))),
    ['--version=v1.16.3'],
  );
  assert.ok(made.every((c) => c.argv[0] !== 'uninstall'));
  const history = JSON.parse(await root().sh(`cat ${STANDIN_STATE}/helm/releases.json`)) as Record<string, Array<{ revision: number; status: string; chart: { version: string } }>>;
  assert.equal(
    history['cert-manager/cert-manager']?.map((r) => [r.revision, r.status, r.chart.version]),
    [
      [1, 'superseded', 'v1.16.2'],
      [2, 'superseded', 'v1.16.2'],
      [3, 'deployed', 'v1.16.3'],
    ],
  );
  const still = await run({ extraVars: { ...values, cert_manager_version: 'v1.16.3' } });
  assert.is(still.summary.stats['bastion']?.changed, 0);
});

test('a new ACME email: --check --diff shows the ClusterIssuers change with the address masked, old and new', async () => {
  const r = await run({ check: true, diff: true, extraVars: { cert_manager_acme_email: 'new-owner@example.org', cert_manager_version: 'v1.16.3', cert_manager_values: { replicaCount: 2 } } });
  assert.is(r.summary.exitCode, 0, r.reporter.problems());
  assert.equal(
    results(r).filter((l) => !l.startsWith('ok ')),
    ['changed ClusterIssuers letsencrypt-staging, letsencrypt-production'],
  );
  const events = JSON.stringify(r.reporter.events);
  assert.not.ok(events.includes('new-owner@example.org') || events.includes(EMAIL), 'neither address in any event, diff included');
  assert.equal(applies(await calls()), []);
});

test('another issuer: the Certificate alone is re-applied and waited for', async () => {
  const vars = { cert_manager_version: 'v1.16.3', cert_manager_values: { replicaCount: 2 }, nginx_demo_issuer: 'letsencrypt-production' };
  const r = await run({ extraVars: vars });
  assert.equal(
    results(r).filter((l) => !l.startsWith('ok ')),
    [`changed nginx-demo: certificate for ${HOST} from letsencrypt-production`],
  );
  const cert = JSON.parse(await root().sh(`cat ${STANDIN_STATE}/kubectl/objects/cert-manager.io.v1.Certificate.default.nginx-demo`)) as { spec: { issuerRef: { name: string } } };
  assert.is(cert.spec.issuerRef.name, 'letsencrypt-production');
});

test('nginx_demo_enabled: false removes what the role created, found by its labels, and nothing else', async () => {
  const other = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'nginx-demo-notes', namespace: 'default', labels: { 'app.kubernetes.io/part-of': 'notes' } } };
  await root().sh(`printf '%s' ${quote(stringify(other))} | kubectl --kubeconfig=${K3S_KUBECONFIG} apply --server-side --field-manager=someone -f -`);
  await calls();
  const vars = { cert_manager_version: 'v1.16.3', cert_manager_values: { replicaCount: 2 }, nginx_demo_issuer: 'letsencrypt-production', nginx_demo_enabled: false };
  const planned = await run({ check: true, extraVars: vars });
  assert.match(
    results(planned).at(-1) ?? '',
    /^skipped remove nginx-demo: certificate\.cert-manager\.io\/nginx-demo, configmap\/nginx-demo-page, deployment\.apps\/nginx-demo, service\/nginx-demo, ingress\.networking\.k8s\.io\/nginx-demo$/,
  );
  const r = await run({ extraVars: vars });
  assert.is(r.summary.exitCode, 0, r.reporter.problems());
  assert.is((await calls()).filter((c) => c.argv.includes('delete')).length, 1, 'one delete, of the labelled objects');
  const objects = await objectFiles();
  assert.not.ok(
    objects.some((o) => o.endsWith('.default.nginx-demo') || o.endsWith('nginx-demo-page')),
    objects.join(', '),
  );
  for (const kept of ['v1.ConfigMap.default.nginx-demo-notes', 'cert-manager.io.v1.ClusterIssuer..letsencrypt-production', 'apps.v1.Deployment.cert-manager.cert-manager-webhook'])
    assert.ok(objects.includes(kept), kept);
  const again = await run({ extraVars: vars });
  assert.is(again.summary.stats['bastion']?.changed, 0);
  const last = await calls();
  assert.ok(
    last.every((c) => !c.argv.includes('delete')),
    last.map(line).join('\n'),
  );
});

test.run();
