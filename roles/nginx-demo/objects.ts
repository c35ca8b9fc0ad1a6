/**
 * The demo's objects, every one labelled with LABELS (what a removal finds them by): the page in a
 * ConfigMap, nginx serving it (replicas spread across nodes, at most one more on any node than on
 * another), a Service, an Ingress on Traefik's websecure entry point (plain HTTP is redirected by
 * the k3s-server role's HelmChartConfig) with TLS from a secret that the Certificate, issued by the
 * chosen ClusterIssuer, fills.
 */
import type { NginxDemoSettings } from './vars.ts';

export const NAME = 'nginx-demo';
export const TLS_SECRET = `${NAME}-tls`;
export const LABELS = { 'app.kubernetes.io/part-of': NAME, 'app.kubernetes.io/managed-by': 'ploy' } as const;
/** The label selector of everything the role creates: its prune and its removal use it. */
export const SELECTOR = Object.entries(LABELS)
  .map(([key, value]) => `${key}=${value}`)
  .join(',');
const POD_LABELS = { 'app.kubernetes.io/name': NAME };

/** The kinds the role creates, as `kubectl get` names them, for the removal's listing. */
export const BUILTIN_KINDS = ['configmaps', 'deployments.apps', 'services', 'ingresses.networking.k8s.io'];
export const CERTIFICATE_KIND = 'certificates.cert-manager.io';

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function page(s: NginxDemoSettings): string {
  const title = escapeHtml(s.title);
  return `<!doctype html>\n<html lang="en">\n<head><meta charset="utf-8"><title>${title}</title></head>\n<body>\n<h1>${title}</h1>\n<p>Served by nginx on the K3s cluster at https://${s.host}/.</p>\n</body>\n</html>\n`;
}

function metadata(s: NginxDemoSettings, name: string, extra: Record<string, unknown> = {}) {
  return { name, namespace: s.namespace, labels: { ...LABELS, ...POD_LABELS }, ...extra };
}

/** ConfigMap, Deployment, Service and Ingress: built-in kinds, one apply. */
export function appObjects(s: NginxDemoSettings) {
  return [
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: metadata(s, `${NAME}-page`), data: { 'index.html': page(s) } },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: metadata(s, NAME),
      spec: {
        replicas: s.replicas,
        selector: { matchLabels: POD_LABELS },
        template: {
          metadata: { labels: { ...LABELS, ...POD_LABELS } },
          spec: {
            topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: POD_LABELS } }],
            containers: [
              {
                name: 'nginx',
                image: s.image,
                ports: [{ name: 'http', containerPort: 80 }],
                readinessProbe: { httpGet: { path: '/', port: 'http' }, periodSeconds: 5 },
                resources: { requests: { cpu: '10m', memory: '16Mi' }, limits: { memory: '64Mi' } },
                volumeMounts: [{ name: 'page', mountPath: '/usr/share/nginx/html', readOnly: true }],
              },
            ],
            volumes: [{ name: 'page', configMap: { name: `${NAME}-page` } }],
          },
        },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: metadata(s, NAME),
      spec: { selector: POD_LABELS, ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
    },
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: metadata(s, NAME, { annotations: { 'traefik.ingress.kubernetes.io/router.entrypoints': 'websecure', 'traefik.ingress.kubernetes.io/router.tls': 'true' } }),
      spec: {
        ingressClassName: 'traefik',
        tls: [{ hosts: [s.host], secretName: TLS_SECRET }],
        rules: [{ host: s.host, http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: NAME, port: { name: 'http' } } } }] } }],
      },
    },
  ];
}

/**
 * The Certificate for the Ingress's secret, an object of its own rather than the Ingress's
 * cert-manager.io/cluster-issuer annotation: so it is applied, validated and waited for (Ready)
 * like the rest, and a cluster without cert-manager yet says so for it alone.
 */
export function certificate(s: NginxDemoSettings) {
  return {
    apiVersion: 'cert-manager.io/v1',
    kind: 'Certificate',
    metadata: metadata(s, NAME),
    spec: { secretName: TLS_SECRET, dnsNames: [s.host], issuerRef: { name: s.issuer, kind: 'ClusterIssuer', group: 'cert-manager.io' } },
  };
}
