/**
 * The cert-manager and nginx-demo roles' pure parts: every object they render is validated against
 * the Kubernetes and cert-manager schemas (the check kubectlApply runs before any host); the ACME
 * email stays a Secret inside the ClusterIssuers; the spread, the websecure entry point, the labels
 * a removal finds; and bad input (an email that is not an address, a host that is not a DNS name,
 * an unknown issuer) refused by the preflight before any host is contacted, the email never quoted.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { InputError } from '../../lib/errors.ts';
import { prepareObjects } from '../../lib/k8s/prepare-objects.ts';
import { definePlay, type Role } from '../../lib/role.ts';
import { runPlay } from '../../lib/runner/run-play.ts';
import { isSecret, secret } from '../../lib/secret.ts';
import { clusterIssuers, ISSUERS } from '../../roles/cert-manager/issuers.ts';
import { certManager } from '../../roles/cert-manager/role.ts';
import { CERT_MANAGER_DEFAULTS, certManagerSettings } from '../../roles/cert-manager/vars.ts';
import { appObjects, certificate, LABELS, SELECTOR } from '../../roles/nginx-demo/objects.ts';
import { listedObjects, refs } from '../../roles/nginx-demo/removal.ts';
import { nginxDemo } from '../../roles/nginx-demo/role.ts';
import { NGINX_DEMO_DEFAULTS, nginxDemoSettings } from '../../roles/nginx-demo/vars.ts';
import { inputError } from '../support/input-error.ts';
import { CountingPool, localInventory, RecordingReporter, rejection, runOptions } from './runner-support.ts';

const EMAIL = 'ops@example.com';
const demo = (vars: Record<string, unknown> = {}) => nginxDemoSettings({ ...NGINX_DEMO_DEFAULTS, nginx_demo_host: 'demo.example.com', ...vars }, 'bastion');
const certs = (vars: Record<string, unknown> = {}) => certManagerSettings({ ...CERT_MANAGER_DEFAULTS, cert_manager_acme_email: EMAIL, ...vars }, 'bastion');

/** kubectlApply's own check: shape, duplicates, and each kind's schema (kubernetes-models, @kubernetes-models/cert-manager). */
function validated(objects: readonly unknown[]) {
  return prepareObjects(
    objects.map((value, i) => ({ value, origin: { source: `objects[${i}]` } })),
    { validate: true },
  ).objects.map((p) => p.plain);
}

test('every rendered object passes the Kubernetes and cert-manager schemas: ClusterIssuers, ConfigMap, Deployment, Service, Ingress, Certificate', () => {
  const kinds = validated([...clusterIssuers(certs().acmeEmail), ...appObjects(demo()), certificate(demo())]).map((o) => o.kind);
  assert.equal(kinds, ['ClusterIssuer', 'ClusterIssuer', 'ConfigMap', 'Deployment', 'Service', 'Ingress', 'Certificate']);
});

test('the schemas do catch a wrong object: the check is not vacuous', () => {
  const [deployment] = appObjects(demo()).filter((o) => o.kind === 'Deployment') as unknown as Array<Record<string, Record<string, unknown>>>;
  const broken = { ...deployment, spec: { ...deployment?.spec, replicas: 'two' } };
  assert.throws(() => validated([broken]), /replicas/);
  const issuer = clusterIssuers(secret(EMAIL))[0] as Record<string, unknown>;
  assert.throws(() => validated([{ ...issuer, spec: { acme: { server: 'x' } } }]), /privateKeySecretRef|solvers|acme/);
});

test('ClusterIssuers: staging and production directories, HTTP-01 through the traefik ingress class, the email a Secret', () => {
  const issuers = clusterIssuers(certs().acmeEmail);
  assert.equal(
    issuers.map((i) => [i.metadata.name, i.spec.acme.server]),
    Object.entries(ISSUERS),
  );
  for (const issuer of issuers) {
    assert.ok(isSecret(issuer.spec.acme.email));
    assert.equal(issuer.spec.acme.solvers, [{ http01: { ingress: { ingressClassName: 'traefik' } } }]);
    assert.not.match(JSON.stringify(issuer), EMAIL, 'the email never turns into text');
  }
});

test("chart values: crds always enabled and kept, the user's values beside them", () => {
  assert.equal(certs({ cert_manager_values: { replicaCount: 2, crds: { enabled: false } } }).values, { replicaCount: 2, crds: { enabled: true, keep: true } });
});

test("nginx-demo: replicas spread by hostname, Ingress on websecure with TLS from the Certificate's secret, every object labelled for removal", () => {
  const objects = appObjects(demo({ nginx_demo_replicas: 3 }));
  const deployment = objects.find((o) => o.kind === 'Deployment') as {
    spec: { replicas: number; template: { spec: { topologySpreadConstraints: Array<{ topologyKey: string; whenUnsatisfiable: string }> } } };
  };
  assert.is(deployment.spec.replicas, 3);
  assert.equal(
    deployment.spec.template.spec.topologySpreadConstraints.map((c) => [c.topologyKey, c.whenUnsatisfiable]),
    [['kubernetes.io/hostname', 'DoNotSchedule']],
  );
  const ingress = objects.find((o) => o.kind === 'Ingress') as unknown as { metadata: { annotations: Record<string, string> }; spec: { tls: Array<{ secretName: string; hosts: string[] }> } };
  assert.is(ingress.metadata.annotations['traefik.ingress.kubernetes.io/router.entrypoints'], 'websecure');
  const cert = certificate(demo({ nginx_demo_issuer: 'letsencrypt-production' }));
  assert.equal(ingress.spec.tls, [{ hosts: ['demo.example.com'], secretName: cert.spec.secretName }]);
  assert.equal(cert.spec.issuerRef, { name: 'letsencrypt-production', kind: 'ClusterIssuer', group: 'cert-manager.io' });
  for (const o of [...objects, cert]) for (const [key, value] of Object.entries(LABELS)) assert.is((o.metadata.labels as Record<string, string>)[key], value, `${o.kind} ${key}`);
  assert.is(SELECTOR, 'app.kubernetes.io/part-of=nginx-demo,app.kubernetes.io/managed-by=ploy');
  const page = (objects.find((o) => o.kind === 'ConfigMap') as { data: Record<string, string> }).data['index.html'] ?? '';
  const escaped = (appObjects(demo({ nginx_demo_title: '<b>A & B</b>' }))[0] as { data: Record<string, string> }).data['index.html'] ?? '';
  assert.match(escaped, '<h1>&#60;b&#62;A &#38; B&#60;/b&#62;</h1>');
  assert.match(page, 'https://demo.example.com/');
});

test('the removal reads kubectl get -o json and names kind.group/name', () => {
  const json = JSON.stringify({
    kind: 'List',
    items: [
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'nginx-demo' } },
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'p' } },
    ],
  });
  assert.equal(refs(listedObjects(json)), ['deployment.apps/nginx-demo', 'configmap/p']);
  assert.equal(listedObjects(undefined), []);
});

test('bad variables: clear errors naming the variable; the email is never quoted back', () => {
  const bad = inputError(() => certs({ cert_manager_acme_email: 'ops at example' }), 'host bastion, field "cert_manager_acme_email"', 'is not an email address');
  assert.not.match(bad.message, 'ops at example');
  inputError(() => certs({ cert_manager_acme_email: 'ops@localhost' }), 'is not an email address');
  inputError(() => certs({ cert_manager_version: '1.16' }), 'cert_manager_version');
  inputError(() => demo({ nginx_demo_host: 'https://demo.example.com/' }), 'field "nginx_demo_host"', 'must be a DNS name');
  inputError(() => demo({ nginx_demo_host: 'demo_site.example.com' }), 'must be a DNS name');
  inputError(() => demo({ nginx_demo_host: undefined }), 'nginx_demo_host" is required');
  inputError(() => demo({ nginx_demo_issuer: 'letsencrypt' }), 'field "nginx_demo_issuer"', 'letsencrypt-staging or letsencrypt-production');
  inputError(() => demo({ nginx_demo_replicas: 1 }), 'at least 2');
  assert.is(demo({ nginx_demo_enabled: false, nginx_demo_host: undefined }).enabled, false, 'no host needed to remove');
});

/** The play's preflight on a local bastion: the pool is never asked for a connection when the input is bad. */
async function refused(bastionVars: Record<string, unknown>): Promise<string> {
  const inventory = localInventory({ bastion: bastionVars }, { bastion: ['bastion'] });
  const pool = new CountingPool();
  const play = definePlay({ name: 'site', roles: [certManager as unknown as Role, nginxDemo as unknown as Role] });
  const reporter = new RecordingReporter();
  const error = await rejection(runPlay(play, runOptions(inventory, pool), reporter));
  assert.equal([...pool.gets.keys()], [], 'no host was contacted');
  assert.instance(error, InputError);
  assert.not.match(JSON.stringify(reporter.events) + error.message, 'ops at example', 'the email in no event nor error');
  return error.message;
}

test('bad input stops the play before any host is touched', async () => {
  const good = { cert_manager_acme_email: EMAIL, nginx_demo_host: 'demo.example.com' };
  assert.match(await refused({ ...good, cert_manager_acme_email: 'ops at example' }), 'field "cert_manager_acme_email"');
  assert.match(await refused({ nginx_demo_host: 'demo.example.com' }), 'role cert-manager requires variable "cert_manager_acme_email"');
  assert.match(await refused({ ...good, nginx_demo_host: 'demo example' }), 'field "nginx_demo_host"');
  assert.match(await refused({ ...good, nginx_demo_issuer: 'letsencrypt-prod' }), 'field "nginx_demo_issuer"');
});

test.run();
