import type { TaskResult } from '../result.ts';
import type { HostStats } from './events.ts';

/**
 * The recap counters per host, counted as Ansible counts them: every task that did not fail or
 * skip is "ok" (a changed task counts in ok and in changed); a failure ignored by ignoreErrors
 * counts as ok; a task not selected by tags is not counted at all.
 */
export class RunStats {
  readonly #hosts = new Map<string, HostStats>();

  constructor(hosts: readonly string[] = []) {
    this.include(hosts);
  }

  /** Give these hosts a row (all zero until something is counted). */
  include(hosts: readonly string[]): void {
    for (const host of hosts) this.#entry(host);
  }

  task(host: string, result: TaskResult<unknown>, ignored = false): void {
    const stats = this.#entry(host);
    if (result.status === 'failed') {
      if (ignored) stats.ok++;
      else stats.failed++;
    } else if (result.status === 'skipped') {
      stats.skipped++;
    } else {
      stats.ok++;
      if (result.changed) stats.changed++;
    }
  }

  /** A failure outside a task (t.fail, an error thrown by role code). */
  failed(host: string): void {
    this.#entry(host).failed++;
  }

  unreachable(host: string): void {
    this.#entry(host).unreachable++;
  }

  elapsed(host: string, ms: number): void {
    this.#entry(host).elapsedMs += ms;
  }

  snapshot(): Record<string, HostStats> {
    return Object.fromEntries([...this.#hosts].map(([host, stats]) => [host, { ...stats, elapsedMs: Math.round(stats.elapsedMs) }]));
  }

  /** Ansible's exit status: 4 when any host was unreachable, else 2 when any failed, else 0. */
  exitCode(): 0 | 2 | 4 {
    const all = [...this.#hosts.values()];
    if (all.some((s) => s.unreachable > 0)) return 4;
    if (all.some((s) => s.failed > 0)) return 2;
    return 0;
  }

  #entry(host: string): HostStats {
    let stats = this.#hosts.get(host);
    if (!stats) {
      stats = { ok: 0, changed: 0, unreachable: 0, failed: 0, skipped: 0, elapsedMs: 0 };
      this.#hosts.set(host, stats);
    }
    return stats;
  }
}

/** In a check run: some host has changes pending (a task would have changed something). */
export function changesPending(stats: Readonly<Record<string, HostStats>>): boolean {
  return Object.values(stats).some((host) => host.changed > 0);
}
