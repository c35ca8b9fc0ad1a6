import { InputError } from '../errors.ts';

/**
 * A host runs one task at a time. A role that forgets an `await` (`t.copy(...)` then `t.file(...)`)
 * would race its own tasks on the host; the lane refuses the second task, naming both. A task still
 * running when the role's code returns is the same mistake: `leftRunning()` names it once it ended.
 */
export class TaskLane {
  #running: string | undefined;
  #settled: Promise<void> = Promise.resolve();

  constructor(readonly host: string) {}

  /** Runs `task` once the lane is free; throws at once if another task of this host is running. */
  enter<T>(name: string, task: () => Promise<T>): Promise<T> {
    if (this.#running !== undefined) throw new TaskOverlapError(this.host, this.#running, name);
    this.#running = name;
    const ran = task().finally(() => {
      this.#running = undefined;
    });
    // A task nobody awaits must not end the whole run as an unhandled rejection: its failure is
    // recorded on its host by the runner, and leftRunning() or the next task reports the missing await.
    this.#settled = ran.then(ignore, ignore);
    return ran;
  }

  /** The task that was still running when this was called (a forgotten await), after it has ended; undefined when the lane was free. */
  async leftRunning(): Promise<string | undefined> {
    const running = this.#running;
    await this.#settled;
    return running;
  }
}

export class TaskOverlapError extends InputError {
  constructor(host: string, running: string, started: string) {
    super(`task "${started}" started while task "${running}" is still running on this host: a missing await before the call of "${running}"? (tasks of a host run one at a time)`, { host });
  }
}

export class TaskLeftRunningError extends InputError {
  /** `code` is what returned: "role web's run()", "handler restart". */
  constructor(host: string, running: string, code: string) {
    super(`task "${running}" was still running when ${code} returned: a missing await before the call of "${running}"? (tasks of a host run one at a time)`, { host });
  }
}

function ignore(): void {}
