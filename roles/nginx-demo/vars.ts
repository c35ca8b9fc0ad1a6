/**
 * The nginx-demo role's variables (group_vars/bastion.yml, or -e), their defaults, and the checks
 * that run before any host is touched, naming the host and the variable.
 */
import { InputError, type Vars } from '../../lib/index.ts';
import { ISSUER_NAMES, isIssuerName, type IssuerName } from '../cert-manager/issuers.ts';

export interface NginxDemoVars {
  /** false: the role removes the objects it created (found by its label) and nothing else. */
  nginx_demo_enabled: boolean;
  /** The page's host name: a DNS name pointing at the load balancer (a CNAME to k3s_lb_dns). Required when enabled. */
  nginx_demo_host?: string;
  /** The ClusterIssuer of its certificate: letsencrypt-staging (untrusted, the default) or letsencrypt-production. */
  nginx_demo_issuer: string;
  /** The namespace the demo goes in (it must exist; default is always there). */
  nginx_demo_namespace: string;
  /** nginx replicas, at least 2, spread across nodes. */
  nginx_demo_replicas: number;
  nginx_demo_image: string;
  /** The page's text. */
  nginx_demo_title: string;
  /** How long the rollout and the certificate may take, in seconds. */
  nginx_demo_timeout_s: number;
}

export const NGINX_DEMO_DEFAULTS = {
  nginx_demo_enabled: true,
  nginx_demo_issuer: 'letsencrypt-staging',
  nginx_demo_namespace: 'default',
  nginx_demo_replicas: 2,
  nginx_demo_image: 'nginx:1.27-alpine',
  nginx_demo_title: 'Hello from the HA K3s cluster',
  nginx_demo_timeout_s: 600,
} satisfies Omit<NginxDemoVars, 'nginx_demo_host'>;

export interface NginxDemoSettings {
  enabled: boolean;
  host: string;
  issuer: IssuerName;
  namespace: string;
  replicas: number;
  image: string;
  title: string;
  timeoutS: number;
}

/** A DNS name of two labels or more (RFC 1123), lowercase, no trailing dot: what an Ingress rule and a certificate take. */
const DNS_NAME = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/;
const NAMESPACE = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const IMAGE = /^[a-z0-9][a-z0-9._\-/:@]*$/;

export function nginxDemoSettings(vars: Vars & NginxDemoVars, host: string): NginxDemoSettings {
  const where = (field: string) => ({ host, field });
  if (typeof vars.nginx_demo_enabled !== 'boolean')
    throw new InputError(`variable "nginx_demo_enabled" must be true or false, got ${JSON.stringify(vars.nginx_demo_enabled)}`, where('nginx_demo_enabled'));
  if (typeof vars.nginx_demo_namespace !== 'string' || !NAMESPACE.test(vars.nginx_demo_namespace)) {
    throw new InputError(`variable "nginx_demo_namespace" must be a namespace name (lowercase letters, digits and -), got ${JSON.stringify(vars.nginx_demo_namespace)}`, where('nginx_demo_namespace'));
  }
  const base = { enabled: vars.nginx_demo_enabled, namespace: vars.nginx_demo_namespace };
  const issuer = vars.nginx_demo_issuer;
  if (!isIssuerName(issuer))
    throw new InputError(`variable "nginx_demo_issuer" must name a ClusterIssuer of the cert-manager role (${ISSUER_NAMES.join(' or ')}), got ${JSON.stringify(issuer)}`, where('nginx_demo_issuer'));
  if (!vars.nginx_demo_enabled) return { ...base, host: '', issuer, replicas: 0, image: '', title: '', timeoutS: 0 };
  const name = vars.nginx_demo_host;
  if (name === undefined || name === null || name === '')
    throw new InputError('variable "nginx_demo_host" is required: the DNS name the page answers at (pointing at the load balancer)', where('nginx_demo_host'));
  if (typeof name !== 'string' || !DNS_NAME.test(name)) {
    throw new InputError(
      `variable "nginx_demo_host" must be a DNS name like demo.example.com (lowercase letters, digits, - and dots; no scheme, port or path), got ${JSON.stringify(name)}`,
      where('nginx_demo_host'),
    );
  }
  const replicas = vars.nginx_demo_replicas;
  if (!Number.isInteger(replicas) || replicas < 2)
    throw new InputError(`variable "nginx_demo_replicas" must be a whole number, at least 2 (spread across nodes), got ${JSON.stringify(replicas)}`, where('nginx_demo_replicas'));
  if (typeof vars.nginx_demo_image !== 'string' || !IMAGE.test(vars.nginx_demo_image))
    throw new InputError(`variable "nginx_demo_image" must be an image reference, got ${JSON.stringify(vars.nginx_demo_image)}`, where('nginx_demo_image'));
  if (typeof vars.nginx_demo_title !== 'string') throw new InputError('variable "nginx_demo_title" must be text', where('nginx_demo_title'));
  const timeoutS = vars.nginx_demo_timeout_s;
  if (!Number.isInteger(timeoutS) || timeoutS < 10)
    throw new InputError(`variable "nginx_demo_timeout_s" must be a whole number of seconds, at least 10, got ${JSON.stringify(timeoutS)}`, where('nginx_demo_timeout_s'));
  return { ...base, host: name, issuer, replicas, image: vars.nginx_demo_image, title: vars.nginx_demo_title, timeoutS };
}
