import { setTimeout as delay } from 'node:timers/promises';
import { PloyError } from '../errors.ts';

/** An AWS API call failed; `action` says what ploy was doing, `code` is AWS's error code. */
export class AwsApiError extends PloyError {
  constructor(
    readonly action: string,
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${action}: ${code}: ${message}`, options);
  }
}

export interface RetryPolicy {
  /** Tries in all, the first included. */
  readonly attempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** Stop retrying once the waits so far would pass this many milliseconds in all. */
  readonly totalMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
}

/** On top of the SDK's own retries (3 tries per call), for throttling that outlasts them. */
export const DEFAULT_THROTTLE_RETRY: RetryPolicy = { attempts: 6, baseDelayMs: 1000, maxDelayMs: 20_000 };

const THROTTLING = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'TooManyRequestsException',
  'PriorRequestNotComplete',
  'SlowDown',
]);

/** The AWS error code of a thrown SDK error ("DependencyViolation", "Throttling", ...). */
export function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const e = error as { name?: unknown; Code?: unknown; code?: unknown };
  for (const value of [e.Code, e.code, e.name]) if (typeof value === 'string' && value !== 'Error') return value;
  return undefined;
}

export function isThrottling(error: unknown): boolean {
  return THROTTLING.has(errorCode(error) ?? '');
}

/** Exponential backoff with full jitter, bounded by maxDelayMs: attempt 1 waits up to base, 2 up to 2*base... */
export function backoffDelay(attempt: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/**
 * Run fn, retrying while `retryable(error)` holds, at most policy.attempts tries and policy.totalMs
 * of waiting in all. The last error is thrown as it is; onRetry hears of each wait (for -v).
 */
export async function withRetry<T>(fn: () => Promise<T>, retryable: (error: unknown) => boolean, policy: RetryPolicy, onRetry?: (error: unknown, attempt: number, waitMs: number) => void): Promise<T> {
  const sleep = policy.sleep ?? ((ms: number) => delay(ms));
  let waited = 0;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      if (attempt >= policy.attempts || !retryable(error)) throw error;
      const waitMs = backoffDelay(attempt, policy);
      if (policy.totalMs !== undefined && waited + waitMs > policy.totalMs) throw error;
      onRetry?.(error, attempt, waitMs);
      await sleep(waitMs);
      waited += waitMs;
    }
  }
}

/** Wrap an SDK error as an AwsApiError saying what was being done; ploy's own errors pass through. */
export function describeFailure(action: string, error: unknown): PloyError {
  if (error instanceof PloyError) return error;
  const code = errorCode(error) ?? 'Error';
  const message = error instanceof Error ? error.message : String(error);
  const hint = isThrottling(error) ? ' (still throttled after retrying; try again later)' : '';
  return new AwsApiError(action, code, `${message}${hint}`, { cause: error });
}
