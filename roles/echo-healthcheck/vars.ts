/**
 * The echo-healthcheck role's variables (group_vars/buildkit.yml, or -e), their defaults, and the
 * checks that run before any host is touched, naming the host and the variable. The registry is the
 * cluster's (k3s_registry_url and its credentials, the k3s-server role's variables).
 */
import { InputError, type Vars } from '../../lib/index.ts';
import { registryOf, type Registry } from '../buildkit/registry.ts';
import { wholeNumber } from '../buildkit/whole-number.ts';

export interface EchoHealthcheckVars {
  /** The image's build context: a directory on the controller, absolute or under the project's files/. */
  echo_healthcheck_context: string;
  /** The image's repository in the registry. */
  echo_healthcheck_image: string;
  /** The namespace of the DaemonSet and its Service (it must exist). */
  echo_healthcheck_namespace: string;
  /** The kubeconfig on the build host: K3s's own on a server. */
  echo_healthcheck_kubeconfig: string;
  /** How long the rollout on every node may take, in seconds. */
  echo_healthcheck_timeout_s: number;
}

export const ECHO_HEALTHCHECK_DEFAULTS = {
  echo_healthcheck_context: 'echo-healthcheck',
  echo_healthcheck_image: 'echo-healthcheck',
  echo_healthcheck_namespace: 'kube-system',
  echo_healthcheck_kubeconfig: '/etc/rancher/k3s/k3s.yaml',
  echo_healthcheck_timeout_s: 300,
} satisfies EchoHealthcheckVars;

export interface EchoHealthcheckSettings {
  registry: Registry;
  context: string;
  image: string;
  namespace: string;
  kubeconfig: string;
  timeoutS: number;
}

/** A repository path as the distribution spec has it: lowercase components separated by /. */
const REPOSITORY = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*)*$/;
const NAMESPACE = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

export function echoHealthcheckSettings(vars: Vars & EchoHealthcheckVars, host: string): EchoHealthcheckSettings {
  const where = (field: string) => ({ host, field });
  const registry = registryOf(vars, host);
  if (!registry) {
    throw new InputError(
      'no registry is configured: set k3s_registry_url (and k3s_registry_username, k3s_registry_password) to the registry the echo image is pushed to and the nodes pull from',
      where('k3s_registry_url'),
    );
  }
  if (typeof vars.echo_healthcheck_context !== 'string' || vars.echo_healthcheck_context === '')
    throw new InputError('variable "echo_healthcheck_context" must be a directory on the controller', where('echo_healthcheck_context'));
  const image = vars.echo_healthcheck_image;
  if (typeof image !== 'string' || image.length > 255 || !REPOSITORY.test(image)) {
    throw new InputError(
      `variable "echo_healthcheck_image" must be a repository name like echo-healthcheck or team/echo (lowercase, no registry, no tag), got ${JSON.stringify(image)}`,
      where('echo_healthcheck_image'),
    );
  }
  const namespace = vars.echo_healthcheck_namespace;
  if (typeof namespace !== 'string' || !NAMESPACE.test(namespace))
    throw new InputError(`variable "echo_healthcheck_namespace" must be a namespace name, got ${JSON.stringify(namespace)}`, where('echo_healthcheck_namespace'));
  const kubeconfig = vars.echo_healthcheck_kubeconfig;
  if (typeof kubeconfig !== 'string' || !kubeconfig.startsWith('/'))
    throw new InputError(`variable "echo_healthcheck_kubeconfig" must be an absolute path on the host, got ${JSON.stringify(kubeconfig)}`, where('echo_healthcheck_kubeconfig'));
  const timeoutS = wholeNumber(vars.echo_healthcheck_timeout_s);
  if (timeoutS === undefined || timeoutS < 10)
    throw new InputError(
      `variable "echo_healthcheck_timeout_s" must be a whole number of seconds, at least 10, got ${JSON.stringify(vars.echo_healthcheck_timeout_s)}`,
      where('echo_healthcheck_timeout_s'),
    );
  return { registry, context: vars.echo_healthcheck_context, image, namespace, kubeconfig, timeoutS };
}
