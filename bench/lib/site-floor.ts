/**
 * The floor's command per host for a no-change run of the whole site.ts: one command (as root) that
 * reads what each host's roles depend on, with the same tools ploy's probes use, so that the
 * floor does the same work on the hosts and only the way there differs. On every server: the sha256 of
 * k3s-server's files, its links, the unit's state, `k3s --version` and `nerdctl --version`. On
 * the buildkit host also BuildKit's files, versions and unit, the registry's answer for the image's
 * tag, and a server-side dry run of the health check's objects. On the bastion: the bastion role's
 * files and its tools' versions, cert-manager's release and values (helm list, helm get values),
 * and for each kubectlApply a server-side dry run of its objects, with its prune listing where it
 * prunes. The objects are the roles' own (their builders), for the site bed's variables.
 */
import { manifestText } from '../../lib/k8s/manifest.ts';
import type { K8sObject } from '../../lib/k8s/object.ts';
import { toPlain } from '../../lib/k8s/plain.ts';
import { pruneListCommands } from '../../lib/k8s/prune.ts';
import { secret } from '../../lib/secret.ts';
import { quote } from '../../lib/shell.ts';
import type { Vars } from '../../lib/vars.ts';
import { DOCKER_CONFIG } from '../../roles/buildkit/role.ts';
import { clusterIssuers } from '../../roles/cert-manager/issuers.ts';
import { readBuildContext } from '../../roles/echo-healthcheck/build-context.ts';
import { echoObjects } from '../../roles/echo-healthcheck/objects.ts';
import { REGISTRY_PROBE } from '../../roles/echo-healthcheck/registry-probe.ts';
import { ECHO_HEALTHCHECK_DEFAULTS, echoHealthcheckSettings } from '../../roles/echo-healthcheck/vars.ts';
import { appObjects, certificate, SELECTOR } from '../../roles/nginx-demo/objects.ts';
import { NGINX_DEMO_DEFAULTS, nginxDemoSettings } from '../../roles/nginx-demo/vars.ts';

export interface SiteFloorInput {
  servers: readonly string[];
  /** The host of the buildkit group. */
  builder: string;
  /** The inventory's variables that the roles read here (the registry, the demo's host, the ACME email). */
  vars: Vars;
  acmeEmail: string;
}

const OPERATOR_KUBECONFIG = '/home/operator/.kube/config';
const SERVER_READS = [
  'sha256sum /usr/local/bin/k3s /etc/rancher/k3s/config.yaml /etc/rancher/k3s/registries.yaml /etc/systemd/system/k3s.service /var/lib/rancher/k3s/server/manifests/traefik-config.yaml /var/lib/rancher/k3s/server/token',
  'readlink /usr/local/bin/kubectl /usr/local/bin/crictl /usr/local/bin/ctr; systemctl is-active k3s; systemctl is-enabled k3s',
  '/usr/local/bin/nerdctl --version; /usr/local/bin/k3s --version; uname -m',
];

/** `kubectl diff --server-side` of these objects, their manifest on stdin; 0 (same) or 1 (differs) both read the state. */
function dryRun(objects: ReadonlyArray<{ readonly kind: string; readonly [field: string]: unknown }>, fieldManager: string, kubeconfig: string): string {
  return `printf '%s' ${quote(manifestText(objects))} | kubectl diff --server-side --field-manager=${fieldManager} --kubeconfig=${kubeconfig} -f - >/dev/null; [ $? -le 1 ]`;
}

const asRoot = (lines: readonly string[]) => `sudo -n sh -c ${quote(lines.join('\n'))}`;

export function siteFloorCommands(input: SiteFloorInput): Record<string, string> {
  const nginx = nginxDemoSettings({ ...NGINX_DEMO_DEFAULTS, ...input.vars }, 'bastion');
  const echo = echoHealthcheckSettings({ ...ECHO_HEALTHCHECK_DEFAULTS, ...input.vars }, input.builder);
  const tag = readBuildContext(echo.context, input.builder).tag;
  const ref = `${echo.registry.host}/${echo.image}:${tag}`;
  const app = appObjects(nginx);
  const cert = [certificate(nginx)];
  const commands: Record<string, string> = {
    bastion: asRoot([
      `sha256sum /home/operator/.ssh/authorized_keys /etc/ssh/sshd_config.d/10-ploy-bastion.conf /etc/hosts /usr/local/bin/kubectl /usr/local/bin/helm ${OPERATOR_KUBECONFIG}`,
      'id operator; kubectl version --client; helm version --short',
      `helm list --namespace=cert-manager --kubeconfig=${OPERATOR_KUBECONFIG} --all --output=json; helm get values cert-manager --namespace=cert-manager --kubeconfig=${OPERATOR_KUBECONFIG} --output=json`,
      dryRun(toPlain(clusterIssuers(secret(input.acmeEmail))).value as K8sObject[], 'ploy', OPERATOR_KUBECONFIG),
      ...pruneListCommands(app, SELECTOR, { kubeconfig: OPERATOR_KUBECONFIG }),
      dryRun(app, 'ploy-nginx-demo', OPERATOR_KUBECONFIG),
      ...pruneListCommands(cert, SELECTOR, { kubeconfig: OPERATOR_KUBECONFIG }),
      dryRun(cert, 'ploy-nginx-demo-tls', OPERATOR_KUBECONFIG),
    ]),
  };
  for (const server of input.servers) commands[server] = asRoot(SERVER_READS);
  commands[input.builder] = asRoot([
    ...SERVER_READS,
    'sha256sum /etc/buildkit/buildkitd.toml /etc/systemd/system/buildkitd.service /root/.docker/config.json; /usr/local/bin/buildkitd --version; /usr/local/bin/buildctl --version; systemctl is-active buildkitd',
    `python3 -c ${[REGISTRY_PROBE, echo.registry.url, echo.registry.host, echo.image, tag, DOCKER_CONFIG].map((word) => quote(word)).join(' ')}`,
    dryRun(echoObjects(echo.namespace, ref), 'ploy-echo-healthcheck', echo.kubeconfig),
  ]);
  return commands;
}
