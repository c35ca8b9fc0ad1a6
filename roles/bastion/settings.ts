/**
 * The bastion role's variables checked before any host is touched (the role calls this first, so
 * the preflight reports bad input naming the host and variable): everything the role needs, typed.
 */
import { isIP } from 'node:net';
import { InputError, optionalString, requireString, type Vars } from '../../lib/index.ts';
import { authorizedKeysFile } from './authorized-keys.ts';
import { hasSha256, RELEASE_VERSION, SHA256, TABLES, type Tool } from './downloads.ts';

export interface ToolPin {
  tool: Tool;
  version: string;
  /** The `<tool>_sha256` variable, lowercased; undefined to use the table. */
  sha256: string | undefined;
}

export interface BastionSettings {
  operator: string;
  home: string;
  authorizedKeys: string;
  kubectl: ToolPin;
  helm: ToolPin;
  /** The k3s_api_endpoint variable; undefined: the first server's private address. */
  apiEndpoint: string | undefined;
}

const ACCOUNT_NAME = /^[a-z_][a-z0-9_-]{0,31}$/;
const HOST_NAME = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/;

export function bastionSettings(vars: Vars, host: string): BastionSettings {
  const operator = requireString(vars, 'operator_user', host);
  if (!ACCOUNT_NAME.test(operator) || operator === 'root') {
    throw new InputError(`variable "operator_user" must be an unprivileged account name (lowercase letter or _, then lowercase letters, digits, _ and -), got ${JSON.stringify(operator)}`, {
      host,
      field: 'operator_user',
    });
  }
  const endpoint = optionalString(vars, 'k3s_api_endpoint', host);
  if (endpoint !== undefined && endpoint !== '' && !HOST_NAME.test(endpoint) && isIP(endpoint) === 0) {
    throw new InputError(`variable "k3s_api_endpoint" must be a host name or an IP address (no scheme, no port: the kubeconfig uses https://NAME:6443), got ${JSON.stringify(endpoint)}`, {
      host,
      field: 'k3s_api_endpoint',
    });
  }
  return {
    operator,
    home: `/home/${operator}`,
    authorizedKeys: authorizedKeysFile(vars.operator_authorized_keys, host),
    kubectl: toolPin(vars, host, 'kubectl'),
    helm: toolPin(vars, host, 'helm'),
    apiEndpoint: endpoint === '' ? undefined : endpoint,
  };
}

function toolPin(vars: Vars, host: string, tool: Tool): ToolPin {
  const versionVar = `${tool}_version`;
  const shaVar = `${tool}_sha256`;
  const version = requireString(vars, versionVar, host);
  if (!RELEASE_VERSION.test(version)) throw new InputError(`variable "${versionVar}" must be a release version like v1.2.3, got ${JSON.stringify(version)}`, { host, field: versionVar });
  const override = optionalString(vars, shaVar, host);
  const sha256 = override === undefined || override === '' ? undefined : override.toLowerCase();
  if (sha256 !== undefined && !SHA256.test(sha256)) throw new InputError(`variable "${shaVar}" must be a sha256 (64 hex digits), got ${JSON.stringify(override)}`, { host, field: shaVar });
  if (!hasSha256(tool, version, sha256)) {
    throw new InputError(
      `${tool} ${version} has no known sha256 (the bastion role knows ${tool} ${Object.keys(TABLES[tool]).join(', ')}): set "${shaVar}" to the sha256 of the ${tool} ${version} download for the bastion's architecture`,
      { host, field: shaVar },
    );
  }
  return { tool, version, sha256 };
}
