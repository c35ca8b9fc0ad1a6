import { InputError } from '../errors.ts';
import type { Inventory } from '../inventory/types.ts';
import type { TaskOptions } from '../role.ts';

/** Ansible's defaults for until: three more tries, five seconds apart. */
const DEFAULT_RETRIES_WITH_UNTIL = 3;
const DEFAULT_DELAY_S = 5;

export interface RetryPolicy {
  /** Tries in all, the first included. */
  attempts: number;
  delayMs: number;
}

/**
 * Check the options of one task call, in the preflight and again when the task runs: the names of
 * hosts and the numbers are input, and a mistake there must stop the run before any host is touched.
 */
export function checkTaskOptions(options: TaskOptions<string>, inventory: Inventory, where: { host: string; task: string }): void {
  const fail = (field: string, message: string): never => {
    throw new InputError(message, { ...where, field });
  };
  if (options.delegateTo !== undefined) {
    if (typeof options.delegateTo !== 'string' || options.delegateTo === '') fail('delegateTo', 'must be the name of an inventory host');
    if (!inventory.hosts.has(options.delegateTo)) fail('delegateTo', `${JSON.stringify(options.delegateTo)} is not a host of the inventory`);
  }
  if (options.runOnce !== undefined && typeof options.runOnce !== 'boolean') fail('runOnce', 'must be true or false');
  if (options.retries !== undefined && !(Number.isInteger(options.retries) && options.retries >= 0)) {
    fail('retries', `must be a whole number of tries after the first, 0 or more, got ${String(options.retries)}`);
  }
  if (options.delayS !== undefined && !(typeof options.delayS === 'number' && Number.isFinite(options.delayS) && options.delayS >= 0)) {
    fail('delayS', `must be a number of seconds, 0 or more, got ${String(options.delayS)}`);
  }
  const until: unknown = options.until;
  if (until !== undefined && typeof until !== 'function') fail('until', 'must be a function of the task result that returns true when done');
}

/** How often to try a task, or undefined when it is tried once. */
export function retryPolicy(options: TaskOptions<string>): RetryPolicy | undefined {
  const retries = options.retries ?? (options.until ? DEFAULT_RETRIES_WITH_UNTIL : 0);
  if (retries === 0 && !options.until) return undefined;
  return { attempts: retries + 1, delayMs: (options.delayS ?? DEFAULT_DELAY_S) * 1000 };
}
