import { setTimeout as sleep } from 'node:timers/promises';
import { TaskFailedError, UnreachableError } from '../errors.ts';
import type { TaskResult } from '../result.ts';
import type { TaskOptions } from '../role.ts';
import { HostStopped } from './host-stopped.ts';
import { retryPolicy } from './task-options.ts';

/** One try of a task: its result, and the error when it failed. */
export interface Tried<R> {
  result: TaskResult<R>;
  error?: unknown;
}

type Until<R> = (result: TaskResult<R>) => boolean;

/**
 * Ansible's retries/until/delay: try the task until it succeeds and `until` holds for its result,
 * at most 1 + retries times, delayS apart. A skipped result (check mode cannot predict) is final:
 * there is nothing to wait for. A lost host is final too. When the tries run out, the last failure
 * is the task's failure; a last try that ran but never satisfied until fails with that said.
 */
export async function tryUntilDone<R>(
  options: TaskOptions<string, R>,
  attempt: () => Promise<Tried<R>>,
  onRetry: (attempt: number, attempts: number, msg: string, delayMs: number) => void,
  signal?: AbortSignal,
): Promise<Tried<R>> {
  const policy = retryPolicy(options as TaskOptions<string>);
  if (!policy) return attempt();
  const until = (options as { until?: Until<R> }).until;
  for (let count = 1; ; count++) {
    const tried = await attempt();
    const verdict = tried.error === undefined ? judge(until, tried.result) : { done: false, msg: messageOf(tried.error) };
    const withCount = { ...tried, result: { ...tried.result, attempts: count } };
    if (verdict.done) return withCount;
    const final = count >= policy.attempts || tried.error instanceof UnreachableError || tried.error instanceof HostStopped || signal?.aborted === true;
    if (final) {
      if (tried.error !== undefined) return withCount;
      const tries = `${verdict.msg} after ${count} ${count === 1 ? 'try' : 'tries'}`;
      const msg = signal?.aborted === true && count < policy.attempts ? `interrupted before trying again (${tries})` : tries;
      return { error: new TaskFailedError(msg), result: { ...withCount.result, status: 'failed', msg } };
    }
    onRetry(count, policy.attempts, verdict.msg, policy.delayMs);
    await sleep(policy.delayMs, undefined, signal ? { signal } : {}).catch(() => undefined);
    if (signal?.aborted) {
      const msg = `interrupted while waiting to try again (${verdict.msg})`;
      return { error: new TaskFailedError(msg), result: { ...withCount.result, status: 'failed', msg } };
    }
  }
}

function judge<R>(until: Until<R> | undefined, result: TaskResult<R>): { done: boolean; msg: string } {
  if (until === undefined || result.status === 'skipped') return { done: true, msg: '' };
  try {
    return until(result) ? { done: true, msg: '' } : { done: false, msg: 'until is still false' };
  } catch (error) {
    return { done: false, msg: `until threw: ${messageOf(error)}` };
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
