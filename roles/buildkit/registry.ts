/**
 * The cluster's image registry, as the k3s-server role's variables configure it (k3s_registry_url,
 * k3s_registry_username, k3s_registry_password): the nodes pull from it (registries.yaml), buildkit
 * pushes to it with the same credentials, so what is built is what the nodes can pull.
 */
import { InputError, isSecret, secret, type Secret, type Vars } from '../../lib/index.ts';

export interface Registry {
  /** http(s)://host[:port], no trailing slash. */
  url: string;
  /** host[:port]: how image references and Docker's config.json name the registry. */
  host: string;
  /** Plain HTTP: buildkitd must be told (its registry."host".http setting). */
  http: boolean;
  username?: string;
  password?: Secret;
}

/**
 * The registry from the variables; undefined when none is configured. A URL that is not a
 * registry's address, or half of the credentials, is an InputError naming the host and variable.
 */
export function registryOf(vars: Vars, host: string): Registry | undefined {
  const where = (field: string) => ({ host, field });
  const raw = vars['k3s_registry_url'];
  if (raw === undefined || raw === null || raw === '') return undefined;
  let url: URL | undefined;
  try {
    url = new URL(String(raw));
  } catch {
    url = undefined;
  }
  if (typeof raw !== 'string' || !url || !['https:', 'http:'].includes(url.protocol) || url.pathname.replace(/\/+$/, '') !== '' || url.search !== '' || url.username !== '' || url.password !== '') {
    throw new InputError(
      `variable "k3s_registry_url" must be a registry's address like https://registry.example.com:5000 (no path, no credentials), got ${JSON.stringify(raw)}`,
      where('k3s_registry_url'),
    );
  }
  const username = vars['k3s_registry_username'];
  const password = vars['k3s_registry_password'];
  if ((username === undefined) !== (password === undefined)) {
    throw new InputError('give both k3s_registry_username and k3s_registry_password, or neither', where(username === undefined ? 'k3s_registry_username' : 'k3s_registry_password'));
  }
  if (username !== undefined && (typeof username !== 'string' || username === '' || username.includes(':'))) {
    throw new InputError('variable "k3s_registry_username" must be a user name without ":"', where('k3s_registry_username'));
  }
  if (password !== undefined && !isSecret(password) && typeof password !== 'string')
    throw new InputError('variable "k3s_registry_password" must be text (!secret in YAML)', where('k3s_registry_password'));
  return {
    url: `${url.protocol}//${url.host}`,
    host: url.host,
    http: url.protocol === 'http:',
    ...(typeof username === 'string' ? { username } : {}),
    ...(password !== undefined ? { password: isSecret(password) ? password : secret(String(password)) } : {}),
  };
}

/**
 * Docker's ~/.docker/config.json with the registry's credentials, where buildctl looks for them
 * when it pushes (and the echo-healthcheck role's registry probe too). A Secret: it holds the password.
 */
export function dockerConfig(registry: Registry & { username: string; password: Secret }): Secret {
  // String(): in the preflight the password is an unknown value that only turns into text.
  const auth = Buffer.from(`${registry.username}:${String(registry.password.reveal())}`).toString('base64');
  return secret(`${JSON.stringify({ auths: { [registry.host]: { auth } } }, null, 2)}\n`);
}

export function hasCredentials(registry: Registry): registry is Registry & { username: string; password: Secret } {
  return registry.username !== undefined && registry.password !== undefined;
}
