/**
 * How the Kubernetes-level roles reach the cluster: from the bastion, as the bastion role left it,
 * with the operator's kubeconfig (~operator/.kube/config), which points at the first server or at
 * k3s_api_endpoint. kubectl and helm run as root there (become), reading that file by path.
 */
import { InputError, optionalString, type Vars } from '../../lib/index.ts';

/** The group the Kubernetes-level roles run on, with kubectl and helm (the bastion role installs them). */
export const CLUSTER_CLIENTS = 'bastion';

const ACCOUNT_NAME = /^[a-z_][a-z0-9_-]{0,31}$/;

/** The operator's kubeconfig on the bastion: /home/<operator_user>/.kube/config (operator_user as the bastion role has it). */
export function operatorKubeconfig(vars: Vars, host: string): string {
  const operator = optionalString(vars, 'operator_user', host, 'operator');
  if (!ACCOUNT_NAME.test(operator) || operator === 'root') {
    throw new InputError(`variable "operator_user" must be the bastion's operator account (as the bastion role has it), got ${JSON.stringify(operator)}`, { host, field: 'operator_user' });
  }
  return `/home/${operator}/.kube/config`;
}
