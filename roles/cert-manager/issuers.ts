/**
 * The two ClusterIssuers every Ingress of the cluster may name: Let's Encrypt's staging directory
 * (untrusted certificates, generous rate limits: the default) and its production one. Both answer
 * ACME HTTP-01 challenges through an Ingress of class traefik, which routes on Traefik's web entry
 * point below its HTTP-to-HTTPS redirect (the k3s-server role's HelmChartConfig).
 */
import type { Secret } from '../../lib/index.ts';

export const ISSUERS = {
  'letsencrypt-staging': 'https://acme-staging-v02.api.letsencrypt.org/directory',
  'letsencrypt-production': 'https://acme-v02.api.letsencrypt.org/directory',
} as const;

export type IssuerName = keyof typeof ISSUERS;

export const ISSUER_NAMES = Object.keys(ISSUERS) as IssuerName[];

export function isIssuerName(name: unknown): name is IssuerName {
  return typeof name === 'string' && Object.hasOwn(ISSUERS, name);
}

/** The ClusterIssuer objects; the email stays a Secret inside them (kubectlApply masks it in diffs). */
export function clusterIssuers(email: Secret) {
  return ISSUER_NAMES.map((name) => ({
    apiVersion: 'cert-manager.io/v1',
    kind: 'ClusterIssuer',
    metadata: { name, labels: { 'app.kubernetes.io/managed-by': 'ploy', 'app.kubernetes.io/part-of': 'cert-manager' } },
    spec: {
      acme: {
        server: ISSUERS[name],
        email,
        privateKeySecretRef: { name: `${name}-account-key` },
        solvers: [{ http01: { ingress: { ingressClassName: 'traefik' } } }],
      },
    },
  }));
}
