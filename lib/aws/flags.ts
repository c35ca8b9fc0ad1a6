import { homedir } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { InputError } from '../errors.ts';
import { isAnywhere, parseIpv4Cidr } from './cidr.ts';

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

/** Either the parsed options or a request for the usage text. */
export type Parsed<O> = { help: true } | ({ help: false } & O);

type Env = Readonly<Record<string, string | undefined>>;

const COMMON = {
  cluster: { type: 'string' },
  region: { type: 'string' },
  endpoint: { type: 'string' },
  check: { type: 'boolean', short: 'C' },
  json: { type: 'boolean' },
  v: { type: 'boolean', short: 'v', multiple: true },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsConfig['options'];

const PROVISION = {
  ...COMMON,
  'operator-cidr': { type: 'string' },
  'allow-ssh-from-anywhere': { type: 'boolean' },
  'public-key': { type: 'string' },
  'instance-type': { type: 'string' },
  'bastion-instance-type': { type: 'string' },
  ami: { type: 'string' },
  'inventory-out': { type: 'string' },
  'private-key': { type: 'string' },
} as const satisfies ParseArgsConfig['options'];

const TEARDOWN = { ...COMMON, yes: { type: 'boolean', short: 'y' } } as const satisfies ParseArgsConfig['options'];

export function parseProvisionFlags(argv: readonly string[], env: Env = process.env, cwd = process.cwd()): Parsed<ProvisionOptions> {
  const { values } = parse(argv, PROVISION);
  if (values.help) return { help: true };
  const operatorCidr = required(values['operator-cidr'], 'operator-cidr', 'who may SSH to the bastion, e.g. 203.0.113.7/32');
  const cidr = parseIpv4Cidr(operatorCidr);
  if ('error' in cidr) throw new InputError(cidr.error, { field: '--operator-cidr' });
  if (isAnywhere(cidr) && !values['allow-ssh-from-anywhere']) {
    throw new InputError(`${cidr.text} opens SSH on the bastion to the whole internet; pass --allow-ssh-from-anywhere if that is really meant`, { field: '--operator-cidr' });
  }
  return {
    help: false,
    ...common(values, env),
    operatorCidr: cidr.text,
    publicKeyPath: expandPath(values['public-key'] ?? '~/.ssh/id_ed25519.pub', cwd),
    instanceType: instanceType(values['instance-type'] ?? 't3.medium', '--instance-type'),
    bastionInstanceType: instanceType(values['bastion-instance-type'] ?? 't3.micro', '--bastion-instance-type'),
    ami: values.ami === undefined ? undefined : amiId(values.ami),
    inventoryOut: resolve(cwd, nonEmpty(values['inventory-out'] ?? 'inventory/hosts.yml', 'inventory-out')),
    privateKeyPath: values['private-key'] === undefined ? undefined : expandPath(nonEmpty(values['private-key'], 'private-key'), cwd),
  };
}

export function parseTeardownFlags(argv: readonly string[], env: Env = process.env): Parsed<TeardownOptions> {
  const { values } = parse(argv, TEARDOWN);
  if (values.help) return { help: true };
  return { help: false, ...common(values, env), yes: values.yes ?? false };
}

function parse<T extends NonNullable<ParseArgsConfig['options']>>(argv: readonly string[], options: T) {
  try {
    return parseArgs({ args: [...argv], options, strict: true, allowPositionals: false });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new InputError(`${message.split('\n')[0]} (see --help)`, { field: 'command line' }, { cause: error });
  }
}

interface CommonValues {
  cluster?: string;
  region?: string;
  endpoint?: string;
  check?: boolean;
  json?: boolean;
  v?: boolean[];
}

function common(values: CommonValues, env: Env): AwsCommonOptions {
  const cluster = values.cluster ?? 'k3s-ha';
  if (!/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,22}[A-Za-z0-9])?$/.test(cluster)) {
    throw new InputError(`"${cluster}" is not a usable cluster name: 1-24 letters, digits and inner hyphens (it prefixes load balancer and target group names, which AWS limits to 32)`, { field: '--cluster' });
  }
  const region = values.region ?? (env.AWS_REGION || env.AWS_DEFAULT_REGION);
  if (!region) throw new InputError('no AWS region: pass --region or set AWS_REGION (or AWS_DEFAULT_REGION)', { field: '--region' });
  if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(region)) throw new InputError(`"${region}" is not an AWS region name (e.g. eu-west-3)`, { field: '--region' });
  const endpoint = values.endpoint ?? (env.AWS_ENDPOINT_URL || undefined);
  if (endpoint !== undefined) checkEndpoint(endpoint, values.endpoint !== undefined ? '--endpoint' : 'AWS_ENDPOINT_URL');
  return { cluster, region, endpoint, check: values.check ?? false, json: values.json ?? false, verbosity: values.v?.length ?? 0 };
}

function checkEndpoint(endpoint: string, field: string): void {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new InputError(`"${endpoint}" is not a URL (e.g. http://127.0.0.1:5000)`, { field });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new InputError(`"${endpoint}" must be an http:// or https:// URL`, { field });
}

function required(value: string | undefined, flag: string, what: string): string {
  if (value === undefined || value.trim() === '') throw new InputError(`--${flag} is required: ${what}`, { field: `--${flag}` });
  return value;
}

function nonEmpty(value: string, flag: string): string {
  if (value.trim() === '') throw new InputError(`--${flag} must not be empty`, { field: `--${flag}` });
  return value;
}

function instanceType(value: string, field: string): string {
  if (!/^[a-z][a-z0-9-]*\.[a-z0-9]+$/.test(value)) throw new InputError(`"${value}" is not an EC2 instance type (e.g. t3.medium)`, { field });
  return value;
}

function amiId(value: string): string {
  if (!/^ami-[0-9a-f]{8,17}$/.test(value)) throw new InputError(`"${value}" is not an AMI id (ami- followed by 8 or 17 hex digits)`, { field: '--ami' });
  return value;
}

function expandPath(path: string, cwd: string): string {
  return path === '~' || path.startsWith('~/') ? resolve(homedir(), path.slice(2)) : resolve(cwd, path);
}
