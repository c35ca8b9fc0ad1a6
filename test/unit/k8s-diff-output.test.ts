import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { changedObjects, maskDiffOutput, parseObjectFile } from '../../lib/k8s/diff-output.ts';
import { secret } from '../../lib/secret.ts';

const section = (file: string, hunk: string[]) =>
  [`diff -u -N /tmp/LIVE-12/${file} /tmp/MERGED-34/${file}`, `--- /tmp/LIVE-12/${file}\t2026-01-01`, `+++ /tmp/MERGED-34/${file}\t2026-01-01`, ...hunk].join('\n');

test("kubectl's object file names: core and dotted groups, cluster-scoped, dotted names", () => {
  assert.equal(parseObjectFile('/tmp/LIVE-1/apps.v1.Deployment.web.nginx'), { group: 'apps', version: 'v1', kind: 'Deployment', namespace: 'web', name: 'nginx' });
  assert.equal(parseObjectFile('/tmp/LIVE-1/v1.Secret.default.registry'), { group: '', version: 'v1', kind: 'Secret', namespace: 'default', name: 'registry' });
  assert.equal(parseObjectFile('networking.k8s.io.v1.Ingress.demo.web'), { group: 'networking.k8s.io', version: 'v1', kind: 'Ingress', namespace: 'demo', name: 'web' });
  assert.equal(parseObjectFile('cert-manager.io.v1.ClusterIssuer..letsencrypt.prod'), { group: 'cert-manager.io', version: 'v1', kind: 'ClusterIssuer', namespace: '', name: 'letsencrypt.prod' });
  assert.equal(parseObjectFile('helm.cattle.io.v1beta1.HelmChart.kube-system.x'), { group: 'helm.cattle.io', version: 'v1beta1', kind: 'HelmChart', namespace: 'kube-system', name: 'x' });
  assert.is(parseObjectFile('not-an-object'), undefined);
});

test('changed objects are read from the section headers', () => {
  const output = [section('apps.v1.Deployment.web.nginx', ['@@ -1 +1 @@', '-a', '+b']), section('v1.Namespace..web', ['@@ -0,0 +1 @@', '+x'])].join('\n');
  assert.equal(changedObjects(output), ['Deployment web/nginx', 'Namespace web']);
});

test("a Secret's data and stringData values are masked, other objects and the Secret's metadata are not", () => {
  const output = [
    section('v1.Secret.web.registry', [
      '@@ -1,9 +1,9 @@',
      ' apiVersion: v1',
      ' data:',
      '-  password: b2xkLXBhc3M=',
      '+  password: bmV3LXBhc3M=',
      '   user: Ym90',
      ' kind: Secret',
      ' metadata:',
      '-  name: registry',
      '+  name: registry',
      ' stringData:',
      '+  token: |',
      '+    line-one-secret',
      '+    line-two-secret',
      ' type: Opaque',
    ]),
    section('v1.ConfigMap.web.page', ['@@ -1,3 +1,3 @@', ' data:', '-  password: visible-in-configmap', '+  password: changed']),
  ].join('\n');
  const masked = maskDiffOutput(output);
  assert.match(masked, '-  password: ***\n+  password: ***\n   user: ***\n kind: Secret\n metadata:\n-  name: registry');
  assert.match(masked, ' stringData:\n+  token: ***\n+    ***\n+    ***\n type: Opaque');
  assert.not.match(masked, /b2xkLXBhc3M|bmV3LXBhc3M|Ym90|line-one/);
  assert.match(masked, '-  password: visible-in-configmap\n+  password: changed', 'a ConfigMap is not a Secret');
});

test("a hunk that starts inside a Secret's data (its data: line out of context) is masked until a top-level key", () => {
  const output = section('v1.Secret.web.many', ['@@ -20,7 +20,7 @@', '   key18: a2V5MTg=', '-  key19: b2xk', '+  key19: bmV3', '   key20: a2V5MjA=', ' kind: Secret', ' metadata:', '   name: many']);
  const masked = maskDiffOutput(output);
  assert.match(masked, '@@ -20,7 +20,7 @@\n   key18: ***\n-  key19: ***\n+  key19: ***\n   key20: ***\n kind: Secret\n metadata:\n   name: many');
});

test('registered secret values are masked in any object', () => {
  secret('diff-registered-token-value');
  const output = section('v1.ConfigMap.web.c', ['@@ -1 +1 @@', '-  token: old', '+  token: diff-registered-token-value']);
  assert.match(maskDiffOutput(output), '+  token: ***');
});

test.run();
