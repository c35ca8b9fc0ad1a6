/** The cluster's roles in the order the article applies them; site.ts runs them all, role.ts one. */
import type { Role } from '../lib/index.ts';
import { bastion } from '../roles/bastion/role.ts';
import { buildkit } from '../roles/buildkit/role.ts';
import { certManager } from '../roles/cert-manager/role.ts';
import { echoHealthcheck } from '../roles/echo-healthcheck/role.ts';
import { k3sServer } from '../roles/k3s-server/role.ts';
import { nginxDemo } from '../roles/nginx-demo/role.ts';

/**
 * The servers first: the bastion's kubeconfig is read from the first server. Then, as the article
 * goes, cert-manager, the load balancer's health check (buildkit builds its image) and the demo.
 */
export const clusterRoles: readonly Role[] = [k3sServer as Role, bastion as Role, certManager as Role, buildkit as Role, echoHealthcheck as Role, nginxDemo as Role];
