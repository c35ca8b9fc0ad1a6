/**
 * A Helm chart repository serving a STAND-IN of jetstack's cert-manager chart, laid out as `helm
 * package` and `helm repo index` leave it: index.yaml naming each version, and one .tgz per version
 * whose templates are plain objects (its CRDs and Deployments), which the stand-in helm stores
 * (test/fixtures/bin/helm). Not cert-manager: its objects run nothing.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { startHttpFixture, type HttpFixture } from './http-fixture.ts';

const crd = (kind: string, plural: string, scope: 'Namespaced' | 'Cluster') => ({
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: `${plural}.cert-manager.io` },
  spec: {
    group: 'cert-manager.io',
    scope,
    names: { kind, plural, singular: kind.toLowerCase(), listKind: `${kind}List` },
    versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }],
  },
});
const deployment = (name: string) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name },
  spec: { replicas: 1, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name, image: `quay.io/jetstack/${name}` }] } } },
});

/** The stand-in chart of one version as a packaged .tgz. */
export function standinCertManagerChart(version: string): Buffer {
  const work = mkdtempSync(join(tmpdir(), 'ploy-standin-chart-'));
  try {
    const dir = join(work, 'cert-manager');
    mkdirSync(join(dir, 'templates'), { recursive: true });
    writeFileSync(join(dir, 'Chart.yaml'), stringify({ apiVersion: 'v2', name: 'cert-manager', version, appVersion: version, description: 'STAND-IN chart of a ploy test, not cert-manager' }));
    const docs = [crd('Certificate', 'certificates', 'Namespaced'), crd('Issuer', 'issuers', 'Namespaced'), crd('ClusterIssuer', 'clusterissuers', 'Cluster')];
    writeFileSync(join(dir, 'templates', 'crds.yaml'), docs.map((d) => stringify(d)).join('---\n'));
    writeFileSync(join(dir, 'templates', 'deployments.yaml'), ['cert-manager', 'cert-manager-cainjector', 'cert-manager-webhook'].map((n) => stringify(deployment(n))).join('---\n'));
    const file = join(work, 'chart.tgz');
    execFileSync('tar', ['-czf', file, '-C', work, 'cert-manager']);
    return readFileSync(file);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** A repository of the stand-in chart's versions, listening on `address` (its URL is the fixture's base). */
export async function startCertManagerChartRepo(address: string, versions: string[]): Promise<HttpFixture> {
  const repo = await startHttpFixture(address, address);
  for (const version of versions) repo.route(`/charts/cert-manager-${version}.tgz`, { body: standinCertManagerChart(version) });
  repo.route('/index.yaml', {
    body: stringify({ apiVersion: 'v1', entries: { 'cert-manager': versions.map((version) => ({ name: 'cert-manager', version, urls: [`charts/cert-manager-${version}.tgz`] })) } }),
  });
  return repo;
}
