import { homedir } from 'node:os';
import { resolve } from 'node:path';
import { InputError } from '../errors.ts';
import { parseIpv4Cidr, type Ipv4Cidr } from './cidr.ts';

/**
 * The value checks of provision's and teardown's flags, shaped as FlagSpec parse functions
 * (raw text and the flag's name in, the value out, an InputError naming the flag when bad).
 * Values from the environment go through the same checks, named by their variable.
 */

/** It prefixes load balancer and target group names, which AWS limits to 32 characters. */
export function clusterName(raw: string, flag: string): string {
  if (!/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,22}[A-Za-z0-9])?$/.test(raw)) {
    throw new InputError(`"${raw}" is not a usable cluster name: 1-24 letters, digits and inner hyphens (it prefixes load balancer and target group names, which AWS limits to 32)`, { field: flag });
  }
  return raw;
}

export function regionName(raw: string, flag: string): string {
  if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(raw)) throw new InputError(`"${raw}" is not an AWS region name (e.g. eu-west-3)`, { field: flag });
  return raw;
}

export function endpointUrl(raw: string, flag: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new InputError(`"${raw}" is not a URL (e.g. http://127.0.0.1:5000)`, { field: flag });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new InputError(`"${raw}" must be an http:// or https:// URL`, { field: flag });
  return raw;
}

export function ipv4Cidr(raw: string, flag: string): Ipv4Cidr {
  const cidr = parseIpv4Cidr(raw);
  if ('error' in cidr) throw new InputError(cidr.error, { field: flag });
  return cidr;
}

export function instanceType(raw: string, flag: string): string {
  if (!/^[a-z][a-z0-9-]*\.[a-z0-9]+$/.test(raw)) throw new InputError(`"${raw}" is not an EC2 instance type (e.g. t3.medium)`, { field: flag });
  return raw;
}

export function amiId(raw: string, flag: string): string {
  if (!/^ami-[0-9a-f]{8,17}$/.test(raw)) throw new InputError(`"${raw}" is not an AMI id (ami- followed by 8 or 17 hex digits)`, { field: flag });
  return raw;
}

/** A path as given on the command line: `~/...` is under the home directory, anything else under cwd. */
export function expandPath(path: string, cwd: string): string {
  return path === '~' || path.startsWith('~/') ? resolve(homedir(), path.slice(2)) : resolve(cwd, path);
}
