import { defineRole, type TaskApi } from '../../lib/index.ts';
import { CLUSTER_CLIENTS, operatorKubeconfig } from '../cert-manager/cluster-access.ts';
import { appObjects, BUILTIN_KINDS, certificate, CERTIFICATE_KIND, NAME, SELECTOR } from './objects.ts';
import { listedObjects, notServed, refs } from './removal.ts';
import { NGINX_DEMO_DEFAULTS, nginxDemoSettings, type NginxDemoSettings, type NginxDemoVars } from './vars.ts';

/**
 * A static page behind Traefik with a Let's Encrypt certificate (DESIGN.md section 3): nginx, 2+
 * replicas spread across nodes, serving a ConfigMap; a Service; an Ingress for nginx_demo_host on
 * HTTPS, its certificate from the ClusterIssuer nginx_demo_issuer (staging by default). Applied
 * server-side from the bastion with the operator's kubeconfig, the rollout and the certificate
 * waited for. Each apply prunes, by the role's labels, what it applied before and no longer has.
 * With nginx_demo_enabled: false the role deletes the objects of its kinds that carry its labels,
 * and nothing else.
 */
export const nginxDemo = defineRole<NginxDemoVars>({
  name: 'nginx-demo',
  hosts: CLUSTER_CLIENTS,
  become: true,
  defaults: NGINX_DEMO_DEFAULTS,
  async run(t, vars) {
    const settings = nginxDemoSettings(vars, t.host.name);
    const kubeconfig = operatorKubeconfig(vars, t.host.name);
    if (!settings.enabled) {
      await remove(t, settings, kubeconfig);
      return;
    }
    await t.kubectlApply(`${NAME}: page, nginx x${settings.replicas}, Service, Ingress for ${settings.host}`, {
      objects: appObjects(settings),
      kubeconfig,
      fieldManager: 'ploy-nginx-demo',
      prune: { selector: SELECTOR },
      wait: { timeoutS: settings.timeoutS },
    });
    await t.kubectlApply(`${NAME}: certificate for ${settings.host} from ${settings.issuer}`, {
      objects: [certificate(settings)],
      kubeconfig,
      fieldManager: 'ploy-nginx-demo-tls',
      prune: { selector: SELECTOR },
      wait: { timeoutS: settings.timeoutS },
    });
  },
});

async function remove(t: TaskApi<never>, settings: NginxDemoSettings, kubeconfig: string): Promise<void> {
  const get = (kinds: string) => ['kubectl', `--kubeconfig=${kubeconfig}`, 'get', kinds, `--namespace=${settings.namespace}`, `--selector=${SELECTOR}`, '--output=json'];
  const builtins = await t.command(`${NAME} objects left (by label)`, { cmd: get(BUILTIN_KINDS.join(',')), readOnly: true });
  const certificates = await t.command(`${NAME} certificate left (by label)`, { cmd: get(CERTIFICATE_KIND), readOnly: true, failedWhen: (r) => r.rc !== 0 && !notServed(r.stderr) });
  const left = refs([...listedObjects(certificates.data.stdout), ...listedObjects(builtins.data.stdout)]);
  if (left.length === 0) return;
  await t.command(`remove ${NAME}: ${left.join(', ')}`, { cmd: ['kubectl', `--kubeconfig=${kubeconfig}`, 'delete', `--namespace=${settings.namespace}`, '--ignore-not-found', ...left] });
}
