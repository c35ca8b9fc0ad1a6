import { defineRole } from '../../lib/index.ts';
import { CLUSTER_CLIENTS, operatorKubeconfig } from './cluster-access.ts';
import { clusterIssuers, ISSUER_NAMES } from './issuers.ts';
import { CERT_MANAGER_DEFAULTS, certManagerSettings, type CertManagerVars } from './vars.ts';

export const NAMESPACE = 'cert-manager';
/** How often the ClusterIssuers' apply is tried while cert-manager's webhook does not answer yet. */
const WEBHOOK_RETRY_S = 5;

/**
 * cert-manager (DESIGN.md section 3) from its Helm chart, with its CRDs (`crds.enabled`, kept on an
 * uninstall: `crds.keep`), and the ClusterIssuers letsencrypt-staging and letsencrypt-production.
 *
 * Why the Helm chart rather than the release manifest (cert-manager.yaml, sha256-checked): an
 * upgrade is one `helm upgrade` that helm records as a revision (history, rollback, a failed
 * upgrade upgraded again in place), values are compared by the helm module so a changed value is
 * one upgrade and an unchanged run none, and helm removes the objects a newer release no longer
 * ships, which a re-applied manifest leaves behind. The version is pinned exactly (a repository
 * serves each chart version once); a mirror of the repository is one variable,
 * cert_manager_chart_repo. The manifest would need its sha256 per release and the file carried
 * from the bastion to the controller for kubectlApply, for none of those gains.
 *
 * Never uninstalled: `helm upgrade --install` only. kubectl and helm run on the bastion with the
 * operator's kubeconfig. helm waits for the pods (`--wait`); then the ClusterIssuers' apply, which
 * cert-manager's webhook validates, is tried again every few seconds until the webhook answers
 * (a fresh webhook refuses calls until its CA is injected), up to cert_manager_timeout_s.
 */
export const certManager = defineRole<CertManagerVars, never, 'cert_manager_acme_email'>({
  name: 'cert-manager',
  hosts: CLUSTER_CLIENTS,
  become: true,
  required: ['cert_manager_acme_email'],
  defaults: CERT_MANAGER_DEFAULTS,
  async run(t, vars) {
    const settings = certManagerSettings(vars, t.host.name);
    const kubeconfig = operatorKubeconfig(vars, t.host.name);
    await t.helm(`cert-manager ${settings.version}`, {
      release: 'cert-manager',
      chart: 'cert-manager',
      repo: { name: 'jetstack', url: settings.chartRepo },
      version: settings.version,
      namespace: NAMESPACE,
      createNamespace: true,
      values: settings.values,
      kubeconfig,
      wait: true,
      timeoutS: settings.timeoutS,
    });
    await t.kubectlApply(
      `ClusterIssuers ${ISSUER_NAMES.join(', ')}`,
      { objects: clusterIssuers(settings.acmeEmail), kubeconfig },
      // No Ready wait here: a retry after an apply that went through sees no difference and stops,
      // so it would hide an issuer that never gets Ready; nginx-demo waits for its Certificate.
      { retries: Math.ceil(settings.timeoutS / WEBHOOK_RETRY_S), delayS: WEBHOOK_RETRY_S },
    );
  },
});
