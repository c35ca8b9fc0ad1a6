/**
 * The cert-manager role's variables (group_vars/bastion.yml, or -e), their defaults, and the checks
 * that run before any host is touched. The ACME email is a Secret from here on: it is only ever
 * revealed into kubectl's stdin, never into output, diffs or errors.
 */
import { InputError, isSecret, requireSecret, secret, type Secret, type Vars } from '../../lib/index.ts';

export interface CertManagerVars {
  /** The cert-manager release (its Helm chart's version at cert_manager_chart_repo). Raising it upgrades in place. */
  cert_manager_version: string;
  /** The Helm repository serving the chart; a mirror of charts.jetstack.io serves the same index.yaml and packages. */
  cert_manager_chart_repo: string;
  /** More chart values (replicaCount, resources, ...); `crds` is always `{ enabled: true, keep: true }`. */
  cert_manager_values: Record<string, unknown>;
  /** The address Let's Encrypt writes to about the certificates (expiry, problems). Required; a secret in every output. */
  cert_manager_acme_email: string | Secret;
  /** How long helm may wait for cert-manager's pods, and the ClusterIssuers for its webhook, in seconds. */
  cert_manager_timeout_s: number;
}

export const CERT_MANAGER_DEFAULTS = {
  cert_manager_version: 'v1.16.2',
  cert_manager_chart_repo: 'https://charts.jetstack.io',
  cert_manager_values: {},
  cert_manager_timeout_s: 300,
} satisfies Omit<CertManagerVars, 'cert_manager_acme_email'>;

export interface CertManagerSettings {
  version: string;
  chartRepo: string;
  values: Record<string, unknown>;
  acmeEmail: Secret;
  timeoutS: number;
}

const VERSION = /^v\d+\.\d+\.\d+$/;
/** An address as ACME accounts take it: one @, a dotted domain, no spaces or angle brackets. */
const EMAIL = /^[^\s@<>"(),;:]+@(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;

export function certManagerSettings(vars: Vars & CertManagerVars, host: string): CertManagerSettings {
  const where = (field: string) => ({ host, field });
  if (typeof vars.cert_manager_version !== 'string' || !VERSION.test(vars.cert_manager_version)) {
    throw new InputError(`variable "cert_manager_version" must be a cert-manager release like v1.16.2, got ${JSON.stringify(vars.cert_manager_version)}`, where('cert_manager_version'));
  }
  let repo: URL | undefined;
  try {
    repo = new URL(String(vars.cert_manager_chart_repo));
  } catch {
    repo = undefined;
  }
  if (!repo || !['https:', 'http:'].includes(repo.protocol)) {
    throw new InputError(`variable "cert_manager_chart_repo" must be a Helm repository's http(s) URL, got ${JSON.stringify(vars.cert_manager_chart_repo)}`, where('cert_manager_chart_repo'));
  }
  const values = vars.cert_manager_values;
  if (typeof values !== 'object' || values === null || Array.isArray(values)) throw new InputError('variable "cert_manager_values" must be a map of chart values', where('cert_manager_values'));
  const timeoutS = vars.cert_manager_timeout_s;
  if (!Number.isInteger(timeoutS) || timeoutS < 10)
    throw new InputError(`variable "cert_manager_timeout_s" must be a whole number of seconds, at least 10, got ${JSON.stringify(timeoutS)}`, where('cert_manager_timeout_s'));
  const email = requireSecret(vars, 'cert_manager_acme_email', host);
  // The value is never quoted back: an address is personal data, and output is shared.
  if (!EMAIL.test(email.reveal()))
    throw new InputError('variable "cert_manager_acme_email" is not an email address (name@domain.tld); Let\'s Encrypt refuses an ACME account without one', where('cert_manager_acme_email'));
  const crds = typeof values.crds === 'object' && values.crds !== null ? values.crds : {};
  return {
    version: vars.cert_manager_version,
    chartRepo: repo.href.replace(/\/+$/, ''),
    values: { ...values, crds: { ...crds, enabled: true, keep: true } },
    acmeEmail: isSecret(email) ? email : secret(String(email)),
    timeoutS,
  };
}
