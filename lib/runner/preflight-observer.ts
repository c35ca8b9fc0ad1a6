import type { TaskResult } from '../result.ts';
import type { Role } from '../role.ts';
import { isSelectedByTags, taskTags, type TagSelection } from './tags.ts';

/** A task call the preflight pass saw a role's run() make on a host, in call order. */
export interface ObservedTask {
  name: string;
  /** The module's name (`file`, `copy`, a project's own). */
  module: string;
  /** The role's tags and the task's own. */
  tags: string[];
  /** Whether --tags / --skip-tags let it run. */
  selected: boolean;
}

/**
 * Told what the preflight pass sees, for the flags that need the play's tasks before any host is
 * contacted (--list-tasks, --list-tags, --start-at-task). Handlers are not reported: they run
 * only when notified. end() is called once the whole pass succeeded; it may throw an InputError
 * to stop the run before any host is touched.
 *
 * The pass runs role code with results it cannot know (every task "ok", nothing changed, data
 * unknown), so the tasks it sees are those of a host where nothing changes. dependsOnResults()
 * says from which point on that may not hold for a host: its code looked at a task's result
 * (`if (r.changed)`, `r.data.stdout`), or stopped (t.fail(), an error, the time budget).
 */
export interface PreflightObserver {
  task(role: Role, host: string, task: ObservedTask): void;
  dependsOnResults(role: Role, host: string): void;
  end(): void;
}

/** Several observers as one, each told everything in the order given. */
export function observeAll(...observers: ReadonlyArray<PreflightObserver | undefined>): PreflightObserver | undefined {
  const all = observers.filter((observer): observer is PreflightObserver => observer !== undefined);
  if (all.length <= 1) return all[0];
  return {
    task: (role, host, task) => all.forEach((observer) => observer.task(role, host, task)),
    dependsOnResults: (role, host) => all.forEach((observer) => observer.dependsOnResults(role, host)),
    end: () => all.forEach((observer) => observer.end()),
  };
}

/** What the observer is told of one task call: its tags (the role's too) and whether --tags/--skip-tags select it. */
export function observedTask(role: Role, name: string, module: { name: string }, ownTags: readonly string[] | undefined, selection: TagSelection): ObservedTask {
  const tags = taskTags(role.tags, ownTags);
  return { name, module: module.name, tags, selected: isSelectedByTags(tags, selection) };
}

/** A preflight task result that calls `onRead` when role code looks at any part of it (await itself reads nothing). */
export function watchedResult<R>(result: TaskResult<R>, onRead: () => void): TaskResult<R> {
  return new Proxy(result, {
    get(target, key, receiver) {
      if (typeof key === 'string' && key !== 'then' && key !== 'toJSON') onRead();
      return Reflect.get(target, key, receiver) as unknown;
    },
  });
}
