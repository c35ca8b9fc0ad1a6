import type { Role } from '../role.ts';
import type { ObservedTask, PreflightObserver } from '../runner/preflight-observer.ts';
import { displayUnknown } from '../runner/preflight-unknown.ts';
import type { ListedRole } from './list-hosts.ts';

/** The tasks one or more hosts would run, in order. */
export interface TaskList {
  hosts: string[];
  tasks: Array<{ name: string; module: string; tags: string[] }>;
  /** How many of the tasks come before the role's code first looked at a result (or stopped): the rest may differ in a real run. Absent: never. */
  dependsOnResultsAfter?: number;
}

export interface RoleTasks {
  name: string;
  pattern: string;
  tags: string[];
  /** One list per set of hosts that would run the same tasks (a role's code may branch on host vars). */
  taskLists: TaskList[];
}

/**
 * What --list-tasks, --list-tags and --syntax-check show, learned from the preflight pass: a
 * role's tasks are what its code calls for each host (TypeScript control flow decides them, so
 * they may differ between hosts), after --tags/--skip-tags, without handlers, as ansible-playbook
 * lists them. The pass knows no results, so the tasks are those of a run where nothing changes;
 * where the code first looks at a result, the list says that what follows may differ. A role
 * without hosts (after --limit) has no code run and so no tasks listed.
 */
export class TaskListing implements PreflightObserver {
  readonly #tasks = new Map<string, Map<string, ObservedTask[]>>();
  /** Per role and host: how many tasks it had called when its code first depended on a result. */
  readonly #uncertain = new Map<string, Map<string, number>>();

  constructor(private readonly roles: readonly (ListedRole & { tags: readonly string[] })[]) {}

  task(role: Role, host: string, task: ObservedTask): void {
    if (!task.selected) return;
    const hosts = this.#tasks.get(role.name) ?? new Map<string, ObservedTask[]>();
    this.#tasks.set(role.name, hosts);
    hosts.set(host, [...(hosts.get(host) ?? []), task]);
  }

  dependsOnResults(role: Role, host: string): void {
    const hosts = this.#uncertain.get(role.name) ?? new Map<string, number>();
    this.#uncertain.set(role.name, hosts);
    if (!hosts.has(host)) hosts.set(host, this.#tasks.get(role.name)?.get(host)?.length ?? 0);
  }

  end(): void {}

  result(): RoleTasks[] {
    return this.roles.map((role) => {
      const groups = new Map<string, TaskList>();
      for (const host of role.hosts) {
        const tasks = (this.#tasks.get(role.name)?.get(host) ?? []).map((t) => ({ name: displayUnknown(t.name), module: t.module, tags: t.tags }));
        const after = this.#uncertain.get(role.name)?.get(host);
        const key = JSON.stringify([tasks, after]);
        const group = groups.get(key);
        if (group) group.hosts.push(host);
        else groups.set(key, { hosts: [host], tasks, ...(after !== undefined ? { dependsOnResultsAfter: after } : {}) });
      }
      return { name: role.name, pattern: role.pattern, tags: [...role.tags], taskLists: [...groups.values()] };
    });
  }

  /** How many task calls were checked, on how many hosts. */
  counts(): { hosts: number; tasks: number } {
    const hosts = new Set(this.roles.flatMap((role) => role.hosts));
    const tasks = [...this.#tasks.values()].reduce((sum, byHost) => sum + [...byHost.values()].reduce((n, list) => n + list.length, 0), 0);
    return { hosts: hosts.size, tasks };
  }
}

const tagList = (tags: readonly string[]): string => `TAGS: [${tags.join(', ')}]`;
const UNCERTAIN = '      ~ (the code looks at a result here: from here on, a real run may call other tasks)';

/** ansible-playbook --list-tasks' layout, one block per role. */
export function formatTaskList(playName: string, roles: readonly RoleTasks[]): string {
  const lines = [`playbook: ${playName}`];
  roles.forEach((role, i) => {
    lines.push('', `  role #${i + 1} (${role.pattern}): ${role.name}\t${tagList(role.tags)}`);
    if (role.taskLists.length === 0) lines.push('    tasks: none known (no hosts to run the role for)');
    for (const list of role.taskLists) {
      lines.push(role.taskLists.length === 1 ? '    tasks:' : `    tasks on ${list.hosts.join(', ')}:`);
      list.tasks.forEach((task, index) => {
        if (index === list.dependsOnResultsAfter) lines.push(UNCERTAIN);
        lines.push(`      ${task.name}\t${tagList(task.tags)}`);
      });
      if (list.dependsOnResultsAfter !== undefined && list.dependsOnResultsAfter >= list.tasks.length) lines.push(UNCERTAIN);
    }
  });
  return `${lines.join('\n')}\n`;
}

/** Every tag of a role's selected tasks (the role's own included), sorted. */
export function taskTagsOf(role: RoleTasks): string[] {
  return [...new Set(role.taskLists.flatMap((list) => list.tasks.flatMap((task) => task.tags)))].sort();
}

/** ansible-playbook --list-tags' layout, one block per role. */
export function formatTagList(playName: string, roles: readonly RoleTasks[]): string {
  const lines = [`playbook: ${playName}`];
  roles.forEach((role, i) => {
    lines.push('', `  role #${i + 1} (${role.pattern}): ${role.name}\t${tagList(role.tags)}`, `      TASK ${tagList(taskTagsOf(role))}`);
  });
  return `${lines.join('\n')}\n`;
}
