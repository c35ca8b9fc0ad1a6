import { InputError } from '../errors.ts';

/**
 * Hosts per batch for a role's `serial`, as Ansible computes it: a number is used as is (capped at
 * the host count), "N%" is N percent of the role's hosts rounded down, but at least one host.
 * No serial: one batch with every host.
 */
export function batchSize(serial: number | string | undefined, hostCount: number, role: string): number {
  if (serial === undefined) return Math.max(hostCount, 1);
  if (typeof serial === 'number') {
    if (!Number.isInteger(serial) || serial < 1) {
      throw new InputError(`role ${role}: serial must be a positive whole number or a percentage like "30%", got ${serial}`, { field: 'serial' });
    }
    return Math.min(serial, Math.max(hostCount, 1));
  }
  const match = /^\s*(\d+(?:\.\d+)?)\s*%\s*$/.exec(serial);
  const percent = match ? Number(match[1]) : NaN;
  if (!(percent > 0 && percent <= 100)) {
    throw new InputError(`role ${role}: serial must be a positive whole number or a percentage between 1% and 100%, got "${serial}"`, { field: 'serial' });
  }
  return Math.max(1, Math.floor((hostCount * percent) / 100));
}

/** Split hosts, in order, into the role's serial batches. */
export function splitBatches(hosts: readonly string[], serial: number | string | undefined, role: string): string[][] {
  const size = batchSize(serial, hosts.length, role);
  const batches: string[][] = [];
  for (let i = 0; i < hosts.length; i += size) batches.push(hosts.slice(i, i + size));
  return batches;
}
