import type { TaskResult } from '../result.ts';

/** What a runOnce task left for the other hosts of its batch: its result, or why it has none. */
export type OnceOutcome = { ran: string; result: TaskResult<unknown> } | { ran: string; stopped: unknown };

interface Slot {
  /** The host that runs the task. */
  owner: string;
  outcome?: Promise<OnceOutcome>;
  /** Hosts that reached the task before it ran, each able to run it in the owner's place. */
  waiting: Array<{ host: string; run: () => Promise<OnceOutcome>; settle: (outcome: Promise<OnceOutcome>) => void }>;
}

/**
 * runOnce within one serial batch. Ansible runs such a task on the first host of the batch; hosts
 * here go through a role on their own, so the others wait for the first host to get there. When
 * that host ends without reaching the task (it failed earlier, or its code took another path),
 * the first host waiting runs it instead, so nobody waits for ever.
 */
export class RunOnce {
  readonly #slots = new Map<string, Slot>();
  readonly #done = new Set<string>();

  constructor(private readonly batch: readonly string[]) {}

  /**
   * The outcome of the task named by key: run here (`run`) when this host is the one to run it,
   * else the outcome of the host that did.
   */
  call(host: string, key: string, run: () => Promise<OnceOutcome>): Promise<OnceOutcome> {
    let slot = this.#slots.get(key);
    if (!slot) {
      slot = { owner: this.batch.find((h) => !this.#done.has(h)) ?? host, waiting: [] };
      this.#slots.set(key, slot);
    }
    if (slot.outcome) return slot.outcome;
    if (slot.owner === host) return this.#start(slot, run);
    return new Promise<OnceOutcome>((resolve) => {
      slot.waiting.push({ host, run, settle: (outcome) => resolve(outcome) });
    });
  }

  /** A host is through with its role: tasks it was to run once pass to a host waiting for them. */
  hostDone(host: string): void {
    this.#done.add(host);
    for (const slot of this.#slots.values()) {
      if (slot.outcome || slot.owner !== host) continue;
      const next = [...slot.waiting].sort((a, b) => this.batch.indexOf(a.host) - this.batch.indexOf(b.host))[0];
      if (!next) {
        slot.owner = this.batch.find((h) => !this.#done.has(h)) ?? host;
        continue;
      }
      slot.owner = next.host;
      slot.waiting = slot.waiting.filter((w) => w !== next);
      next.settle(this.#start(slot, next.run));
    }
  }

  #start(slot: Slot, run: () => Promise<OnceOutcome>): Promise<OnceOutcome> {
    const outcome = run();
    slot.outcome = outcome;
    for (const waiter of slot.waiting) waiter.settle(outcome);
    slot.waiting = [];
    return outcome;
  }
}
