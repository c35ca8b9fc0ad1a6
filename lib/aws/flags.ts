import { resolve } from 'node:path';
import { InputError } from '../errors.ts';
import { defineFlags, type ParsedFlags } from '../cli/flag-table.ts';
import { parseFlags, sharedFlags, withSharedFlags } from '../cli/flags.ts';
import { formatHelp } from '../cli/help.ts';
import { isAnywhere } from './cidr.ts';
import { amiId, clusterName, endpointUrl, expandPath, instanceType, ipv4Cidr, regionName } from './flag-values.ts';

/** Flags shared by provision and teardown (the shared names of lib/cli: --check/-C, --json, -v, -h). */
export interface AwsCommonOptions {
  readonly cluster: string;
  readonly region: string;
  readonly endpoint?: string;
  readonly check: boolean;
  readonly json: boolean;
  readonly verbosity: number;
}

export interface ProvisionOptions extends AwsCommonOptions {
  readonly operatorCidr: string;
  readonly publicKeyPath: string;
  readonly instanceType: string;
  readonly bastionInstanceType: string;
  readonly ami?: string;
  readonly inventoryOut: string;
  readonly privateKeyPath?: string;
}

export interface TeardownOptions extends AwsCommonOptions {
  readonly yes: boolean;
}

/** Either the parsed options or a request for the help text. */
export type Parsed<O> = { help: true } | ({ help: false } & O);

type Env = Readonly<Record<string, string | undefined>>;

const awsFlags = defineFlags({
  verbose: { ...sharedFlags.verbose, description: 'More output: -v names every AWS API call on stderr, -vvv also stack traces' },
  cluster: { kind: 'value', valueName: 'NAME', default: 'k3s-ha', parse: clusterName, description: 'Cluster name: the value of the ploy:cluster tag and prefix of every name' },
  region: { kind: 'value', valueName: 'REGION', parse: regionName, description: 'AWS region (default: AWS_REGION, then AWS_DEFAULT_REGION)' },
  endpoint: { kind: 'value', valueName: 'URL', parse: endpointUrl, description: 'Any EC2/ELBv2-compatible endpoint (default: AWS_ENDPOINT_URL)' },
});

/** Every flag of playbooks/provision.ts, in the order --help lists them (after the shared ones). */
export const provisionFlags = withSharedFlags({
  operatorCidr: { kind: 'value', valueName: 'CIDR', parse: ipv4Cidr, description: 'Who may SSH to the bastion, e.g. 203.0.113.7/32 (required)' },
  allowSshFromAnywhere: { kind: 'boolean', description: 'Accept 0.0.0.0/0 as --operator-cidr' },
  publicKey: { kind: 'value', valueName: 'PATH', default: '~/.ssh/id_ed25519.pub', description: 'OpenSSH public key to import as the key pair' },
  privateKey: { kind: 'value', valueName: 'PATH', description: 'Written to the inventory as ansible_ssh_private_key_file' },
  instanceType: { kind: 'value', valueName: 'TYPE', default: 't3.medium', parse: instanceType, description: 'Instance type of the K3s servers' },
  bastionInstanceType: { kind: 'value', valueName: 'TYPE', default: 't3.micro', parse: instanceType, description: 'Instance type of the bastion' },
  ami: { kind: 'value', valueName: 'AMI', parse: amiId, description: 'Image for every host (default: the newest official Debian 12 amd64)' },
  inventoryOut: { kind: 'value', valueName: 'PATH', default: 'inventory/hosts.yml', description: 'Where to write the inventory' },
  ...awsFlags,
});

/** Every flag of playbooks/teardown.ts, in the order --help lists them (after the shared ones). */
export const teardownFlags = withSharedFlags({
  yes: { kind: 'boolean', short: 'y', description: 'Do not ask for confirmation (required without a terminal)' },
  ...awsFlags,
});

export function provisionHelp(program = 'tsx playbooks/provision.ts'): string {
  const about = `Creates (or corrects) the cluster's AWS infrastructure: three security groups, the imported key
pair, a bastion and three K3s servers in three availability zones of the default VPC, and an
internet-facing network load balancer; then writes the inventory. A second run changes nothing.

Exit codes: 0 done, 1 bad input (nothing changed), 2 an AWS call failed.`;
  return formatHelp(`${program} --operator-cidr CIDR`, provisionFlags, about);
}

export function teardownHelp(program = 'tsx playbooks/teardown.ts'): string {
  const about = `Deletes everything tagged ploy:cluster=NAME in the region, in dependency order: listeners, load
balancers, target groups, instances, security groups, key pairs. A second run finds nothing.

Exit codes: 0 done, 1 bad input or not confirmed (nothing deleted), 2 an AWS call failed.`;
  return formatHelp(program, teardownFlags, about);
}

export function parseProvisionFlags(argv: readonly string[], env: Env = process.env, cwd = process.cwd()): Parsed<ProvisionOptions> {
  const flags = parseFlags(argv, provisionFlags);
  if (flags.help) return { help: true };
  const cidr = flags.operatorCidr;
  if (cidr === undefined) throw new InputError('--operator-cidr is required: who may SSH to the bastion, e.g. 203.0.113.7/32', { field: '--operator-cidr' });
  if (isAnywhere(cidr) && !flags.allowSshFromAnywhere) {
    throw new InputError(`${cidr.text} opens SSH on the bastion to the whole internet; pass --allow-ssh-from-anywhere if that is really meant`, { field: '--operator-cidr' });
  }
  return {
    help: false,
    ...commonOptions(flags, env),
    operatorCidr: cidr.text,
    publicKeyPath: expandPath(flags.publicKey, cwd),
    instanceType: flags.instanceType,
    bastionInstanceType: flags.bastionInstanceType,
    ami: flags.ami,
    inventoryOut: resolve(cwd, flags.inventoryOut),
    privateKeyPath: flags.privateKey === undefined ? undefined : expandPath(flags.privateKey, cwd),
  };
}

export function parseTeardownFlags(argv: readonly string[], env: Env = process.env): Parsed<TeardownOptions> {
  const flags = parseFlags(argv, teardownFlags);
  if (flags.help) return { help: true };
  return { help: false, ...commonOptions(flags, env), yes: flags.yes };
}

type CommonFlags = Pick<ParsedFlags<typeof teardownFlags>, 'cluster' | 'region' | 'endpoint' | 'check' | 'json' | 'verbose'>;

/** The flags both share, with region and endpoint taken from the environment when not given. */
function commonOptions(flags: CommonFlags, env: Env): AwsCommonOptions {
  const regionVariable = env.AWS_REGION ? 'AWS_REGION' : env.AWS_DEFAULT_REGION ? 'AWS_DEFAULT_REGION' : undefined;
  const region = flags.region ?? (regionVariable ? regionName(env[regionVariable] ?? '', regionVariable) : undefined);
  if (!region) throw new InputError('no AWS region: pass --region or set AWS_REGION (or AWS_DEFAULT_REGION)', { field: '--region' });
  const envEndpoint = env.AWS_ENDPOINT_URL || undefined;
  const endpoint = flags.endpoint ?? (envEndpoint ? endpointUrl(envEndpoint, 'AWS_ENDPOINT_URL') : undefined);
  return { cluster: flags.cluster, region, endpoint, check: flags.check, json: flags.json, verbosity: flags.verbose };
}
