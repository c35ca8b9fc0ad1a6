import { InputError } from '../errors.ts';

/**
 * A host runs one task at a time. A role that forgets an `await` (`t.copy(...)` then `t.file(...)`)
 * would race its own tasks on the host; the lane refuses the second task, naming both.
 */
export class TaskLane {
  #running: string | undefined;

  constructor(readonly host: string) {}

  /** Runs `task` once the lane is free; throws at once if another task of this host is running. */
  enter<T>(name: string, task: () => Promise<T>): Promise<T> {
    if (this.#running !== undefined) throw new TaskOverlapError(this.host, this.#running, name);
    this.#running = name;
    return task().finally(() => {
      this.#running = undefined;
    });
  }
}

export class TaskOverlapError extends InputError {
  constructor(host: string, running: string, started: string) {
    super(`task "${started}" started while task "${running}" is still running on this host: a missing await before the call of "${running}"? (tasks of a host run one at a time)`, { host });
  }
}
