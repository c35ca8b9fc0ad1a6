import { InputError } from '../errors.ts';
import { globMatcher } from '../inventory/host-pattern.ts';
import type { Role } from '../role.ts';
import type { ObservedTask, PreflightObserver } from './preflight-observer.ts';

/**
 * --start-at-task, as ansible-playbook has it: on each host, the tasks before the first one whose
 * name matches are skipped (not run, not counted, not shown), in every role of the play; from that
 * task on everything runs. A name matches when it equals the pattern or fits it as a glob
 * (fnmatch: `*`, `?`, `[...]`), written as the task's name or as `ROLE : NAME`. Only tasks that
 * --tags/--skip-tags select can be the start. Handlers run when notified, as always.
 *
 * In the preflight pass it learns the play's task names: when none matches, and no host's role code
 * looked at a result (behind which a task the pass cannot see may hide), the run stops there with
 * an InputError listing them; otherwise a start no host reached is reported after the run (which
 * then ran no task and contacted no host). Role code between tasks still runs before the start (a
 * `t.fail()` there still fails the host).
 */
export class StartAtTask implements PreflightObserver {
  readonly #glob: RegExp;
  readonly #started = new Set<string>();
  readonly #names = new Set<string>();
  #seenMatch = false;
  #incomplete = false;
  /** Some host reached the start task in the real run. */
  found = false;

  constructor(readonly pattern: string) {
    if (pattern.trim() === '') throw new InputError('--start-at-task needs a task name');
    this.#glob = globMatcher(pattern);
  }

  matches(role: string, task: string): boolean {
    const qualified = `${role} : ${task}`;
    return task === this.pattern || qualified === this.pattern || this.#glob.test(task) || this.#glob.test(qualified);
  }

  task(role: Role, _host: string, task: ObservedTask): void {
    if (!task.selected) return;
    this.#names.add(`${role.name} : ${task.name}`);
    if (this.matches(role.name, task.name)) this.#seenMatch = true;
  }

  dependsOnResults(): void {
    this.#incomplete = true;
  }

  end(): void {
    if (this.#seenMatch || this.#incomplete) return;
    const names = [...this.#names];
    const known = names.length > 0 ? `the tasks are: ${names.map((name) => JSON.stringify(name)).join(', ')}` : 'the play selects no task';
    throw new InputError(`--start-at-task ${JSON.stringify(this.pattern)}: no task has this name (${known})`);
  }

  /** At run time: false while this host has not yet come to the start task, true from it on. */
  reached(host: string, role: string, task: string): boolean {
    if (this.#started.has(host)) return true;
    if (!this.matches(role, task)) return false;
    this.#started.add(host);
    this.found = true;
    return true;
  }
}
