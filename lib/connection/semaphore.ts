/**
 * A counting semaphore with a FIFO queue: at most `limit` holders at once. Used to bound the
 * channels in flight per SSH connection and the handshakes in flight through one jump host.
 */
export class Semaphore {
  #held = 0;
  #peak = 0;
  readonly #waiting: Array<() => void> = [];

  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`semaphore limit must be a positive integer, got ${limit}`);
  }

  /** Holders right now. */
  get held(): number {
    return this.#held;
  }

  /** The most holders there ever were at once. */
  get peak(): number {
    return this.#peak;
  }

  /** Resolves when a slot is free; the returned function gives it back (calling it twice is harmless). */
  async acquire(): Promise<() => void> {
    if (this.#held < this.limit) {
      this.#take();
    } else {
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#release();
    };
  }

  /** Run fn while holding a slot. */
  async with<T>(fn: () => Promise<T>): Promise<T> {
    const release = await this.acquire();
    try {
      return await fn();
    } finally {
      release();
    }
  }

  #take(): void {
    this.#held++;
    if (this.#held > this.#peak) this.#peak = this.#held;
  }

  #release(): void {
    const next = this.#waiting.shift();
    if (next) {
      next(); // the slot passes straight to the next waiter: held stays the same
    } else {
      this.#held--;
    }
  }
}
