/** The cluster's roles in the order the article applies them; site.ts runs them all, role.ts one. */
import type { Role } from '../lib/index.ts';
import { bastion } from '../roles/bastion/role.ts';
import { certManager } from '../roles/cert-manager/role.ts';
import { k3sServer } from '../roles/k3s-server/role.ts';
import { nginxDemo } from '../roles/nginx-demo/role.ts';

/** The servers first: the bastion's kubeconfig is read from the first server. */
export const clusterRoles: readonly Role[] = [k3sServer as Role, bastion as Role, certManager as Role, nginxDemo as Role];
