import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseManifest } from '../../lib/k8s/manifest.ts';
import type { K8sObject } from '../../lib/k8s/object.ts';
import { ObjectProblems, prepareObjects } from '../../lib/k8s/prepare-objects.ts';
import { checkSchema } from '../../lib/k8s/schema.ts';
import { secret } from '../../lib/secret.ts';

/** One valid object of every kind the cluster's roles apply. */
const CLUSTER_KINDS: K8sObject[] = [
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'demo' } },
  { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'page', namespace: 'demo' }, data: { 'index.html': '<h1>hi</h1>' } },
  { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'registry', namespace: 'demo' }, type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': 'e30=' } },
  {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'nginx', namespace: 'demo' },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'nginx' } },
      template: {
        metadata: { labels: { app: 'nginx' } },
        spec: {
          topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { app: 'nginx' } } }],
          containers: [{ name: 'nginx', image: 'nginx:1.27', ports: [{ containerPort: 80 }], volumeMounts: [{ name: 'page', mountPath: '/usr/share/nginx/html' }] }],
          volumes: [{ name: 'page', configMap: { name: 'page' } }],
        },
      },
    },
  },
  {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'echo-healthcheck', namespace: 'kube-system' },
    spec: {
      selector: { matchLabels: { app: 'echo' } },
      template: {
        metadata: { labels: { app: 'echo' } },
        spec: {
          tolerations: [{ key: 'node-role.kubernetes.io/control-plane', operator: 'Exists', effect: 'NoSchedule' }],
          containers: [
            {
              name: 'echo',
              image: 'registry.example/echo:abc123',
              securityContext: { runAsUser: 1000 },
              ports: [{ containerPort: 2000 }],
              readinessProbe: { tcpSocket: { port: 2000 } },
              livenessProbe: { tcpSocket: { port: 2000 }, periodSeconds: 10 },
            },
          ],
        },
      },
    },
  },
  {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'echo', namespace: 'kube-system' },
    spec: { type: 'NodePort', selector: { app: 'echo' }, ports: [{ port: 2000, targetPort: 2000, nodePort: 32000 }] },
  },
  {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name: 'nginx', namespace: 'demo', annotations: { 'cert-manager.io/cluster-issuer': 'letsencrypt-production' } },
    spec: {
      ingressClassName: 'traefik',
      tls: [{ hosts: ['demo.example.org'], secretName: 'demo-tls' }],
      rules: [{ host: 'demo.example.org', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'nginx', port: { number: 80 } } } }] } }],
    },
  },
  {
    apiVersion: 'helm.cattle.io/v1',
    kind: 'HelmChartConfig',
    metadata: { name: 'traefik', namespace: 'kube-system' },
    spec: { valuesContent: 'ports:\n  web:\n    redirectTo:\n      port: websecure\n' },
  },
  {
    apiVersion: 'cert-manager.io/v1',
    kind: 'ClusterIssuer',
    metadata: { name: 'letsencrypt-staging' },
    spec: {
      acme: {
        email: 'ops@example.org',
        server: 'https://acme-staging-v02.api.letsencrypt.org/directory',
        privateKeySecretRef: { name: 'letsencrypt-staging' },
        solvers: [{ http01: { ingress: { class: 'traefik' } } }],
      },
    },
  },
];

const messagesOf = (objects: unknown[], options: { validate?: boolean; namespace?: string } = {}): string[] => {
  try {
    prepareObjects(
      objects.map((value, i) => ({ value, origin: { source: `objects[${i}]` } })),
      { validate: options.validate ?? true, namespace: options.namespace },
    );
    return [];
  } catch (error) {
    if (error instanceof ObjectProblems) return error.messages;
    throw error;
  }
};

test('every kind the cluster applies has a schema and the examples pass it', () => {
  for (const object of CLUSTER_KINDS) {
    const verdict = checkSchema(object);
    assert.ok(verdict.known, `${object.kind} has a schema`);
    assert.equal(verdict.known && verdict.problems, [], `${object.kind} is valid`);
  }
  assert.equal(messagesOf(CLUSTER_KINDS), []);
});

test('a wrong type names the object, where it is and the field, with the value', () => {
  const [deployment] = structuredClone(CLUSTER_KINDS.slice(3, 4)) as [K8sObject];
  (deployment.spec as { replicas: unknown }).replicas = 'two';
  assert.equal(messagesOf([deployment]), ['Deployment demo/nginx (objects[0]): field spec.replicas must be integer, got string "two"']);
});

test('a missing required field and an enum violation', () => {
  const service = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'echo' }, spec: { type: 'Nodeport', ports: [{ targetPort: 2000 }] } };
  assert.equal(messagesOf([service]), [
    'Service echo (objects[0]): field spec.ports[0].port is required',
    'Service echo (objects[0]): field spec.type must be one of "ClusterIP", "ExternalName", "LoadBalancer", "NodePort", got string "Nodeport"',
  ]);
});

test('int-or-string: the alternatives are merged into one sentence', () => {
  const ingress = structuredClone(CLUSTER_KINDS[6]) as K8sObject;
  const rule = (ingress.spec as { rules: Array<{ http: { paths: Array<{ backend: { service: { port: unknown } } }> } }> }).rules[0];
  if (rule?.http.paths[0]) rule.http.paths[0].backend.service.port = { number: '80' };
  assert.equal(messagesOf([ingress]), ['Ingress demo/nginx (objects[0]): field spec.rules[0].http.paths[0].backend.service.port.number must be integer, got string "80"']);
  const service = { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { ports: [{ port: 80, targetPort: true }] } };
  assert.equal(messagesOf([service]), ['Service s (objects[0]): field spec.ports[0].targetPort must be string or integer, got boolean true']);
});

test("a Secret's bad data is named but never shown", () => {
  const bad = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'creds' }, data: { password: 'plain text, not base64!' } };
  const [message] = messagesOf([bad]);
  assert.is(message, 'Secret creds (objects[0]): field data.password must be base64-encoded (format "byte"), got a value that is not shown (secret data)');
});

test('cert-manager ClusterIssuer: missing server, wrong email type', () => {
  const issuer = { apiVersion: 'cert-manager.io/v1', kind: 'ClusterIssuer', metadata: { name: 'le' }, spec: { acme: { email: 42, privateKeySecretRef: { name: 'le' } } } };
  assert.equal(messagesOf([issuer]), ['ClusterIssuer le (objects[0]): field spec.acme.server is required', 'ClusterIssuer le (objects[0]): field spec.acme.email must be string, got number 42']);
});

test('HelmChartConfig (our checked-in CRD schema): unknown fields are refused as the API server would, enums checked', () => {
  const config = { apiVersion: 'helm.cattle.io/v1', kind: 'HelmChartConfig', metadata: { name: 'traefik', namespace: 'kube-system' }, spec: { valuesContents: 'x', failurePolicy: 'ignore' } };
  assert.equal(messagesOf([config]), [
    'HelmChartConfig kube-system/traefik (objects[0]): field spec.valuesContents is not a field of this kind',
    'HelmChartConfig kube-system/traefik (objects[0]): field spec.failurePolicy must be one of "abort", "reinstall", "retry", got string "ignore"',
  ]);
  const chart = { apiVersion: 'helm.cattle.io/v1', kind: 'HelmChart', metadata: { name: 'x' }, spec: { chart: 'x', set: { replicas: 2, name: 'a' }, values: { anything: { goes: true } } } };
  assert.equal(messagesOf([chart]), [], 'int-or-string and preserve-unknown-fields are honoured');
});

test('unknown kinds: refused with the way out; validate: false skips the schemas but not the shape checks', () => {
  const widget = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' }, spec: { size: 3 } };
  assert.equal(messagesOf([widget]), ['Widget w (objects[0]): no schema is known for apiVersion example.com/v1, kind Widget (set validate: false to apply it unchecked)']);
  assert.equal(messagesOf([{ apiVersion: 'apps/v1', kind: 'DeploymentSpec', metadata: { name: 'x' } }])[0]?.includes('no schema is known'), true, 'a sub-type is not a kind');
  assert.equal(messagesOf([widget], { validate: false }), []);
  assert.equal(messagesOf([{ kind: 'Widget', metadata: {} }], { validate: false }), [
    'Widget (objects[0]): field apiVersion is required (e.g. "v1", "apps/v1")',
    'Widget (objects[0]): field metadata.name is required (ploy applies named objects; generateName is not supported)',
  ]);
});

test('shape: duplicates, namespace disagreements, non-data values, an empty set', () => {
  const cm = (ns?: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', ...(ns ? { namespace: ns } : {}) } });
  assert.equal(messagesOf([cm('web'), cm()], { namespace: 'web' }), ['ConfigMap c (objects[1]): is given twice (first in objects[0])']);
  assert.equal(messagesOf([cm('other')], { namespace: 'web' }), ['ConfigMap other/c (objects[0]): its metadata.namespace "other" differs from the namespace argument "web" (kubectl refuses that)']);
  assert.equal(messagesOf([{ ...cm(), data: { when: new Date(0), n: Number.NaN } }]), [
    'ConfigMap c (objects[0]): field data.when is a Date, not plain data (use strings, numbers, booleans, lists, objects or Secrets)',
    'ConfigMap c (objects[0]): field data.n is NaN, which JSON cannot carry',
  ]);
  assert.equal(messagesOf([{ ...cm(), metadata: { name: 'c', labels: { replicas: 3 } } }]), ['ConfigMap c (objects[0]): field metadata.labels.replicas must be a string, got number (quote it)']);
  assert.equal(messagesOf([]), ['no Kubernetes objects to apply (the manifest is empty)']);
});

test('Secrets inside objects are revealed into the manifest text only; the object stays secret-bearing', () => {
  const prepared = prepareObjects([{ value: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { token: secret('cm-secret-token') } }, origin: { source: 'objects[0]' } }], {
    validate: true,
  });
  assert.ok(prepared.secretBearing);
  assert.match(prepared.text, 'token: cm-secret-token');
});

test('manifest errors carry the document and line of the bad field', () => {
  const text = [
    'apiVersion: v1',
    'kind: Namespace',
    'metadata: {name: a}',
    '---',
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    '  name: web',
    'spec:',
    '  replicas: -1x',
    '  selector: {}',
    '  template: {spec: {containers: []}}',
  ].join('\n');
  const candidates = parseManifest(text).map((entry) => ({ value: entry.value, origin: { source: 'manifest', document: entry.document, lineOf: entry.lineOf } }));
  try {
    prepareObjects(candidates, { validate: true });
    assert.unreachable('a string replicas passed');
  } catch (error) {
    assert.equal((error as ObjectProblems).messages, ['Deployment web (manifest, document 2, line 10): field spec.replicas must be integer, got string "-1x"']);
  }
});

test.run();
