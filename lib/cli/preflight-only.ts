import type { ConnectionSpec } from '../connection/spec.ts';
import { PloyError } from '../errors.ts';
import type { Play } from '../role.ts';
import type { OutputStream } from '../report/terminal.ts';
import type { RunOptions } from '../runner/options.ts';
import { observeAll, type PreflightObserver } from '../runner/preflight-observer.ts';
import { runPlay } from '../runner/run-play.ts';
import { listRoleHosts } from './list-hosts.ts';
import { formatTagList, formatTaskList, taskTagsOf, TaskListing } from './list-tasks.ts';

/** The flags that run the preflight pass alone: nothing is connected to, nothing changes. */
export type PreflightOnlyMode = 'list-tasks' | 'list-tags' | 'syntax-check';

/** In place of the connection pool: one that fails loudly if anything tries to reach a host. */
const noConnections = {
  get(spec: ConnectionSpec): never {
    throw new PloyError(`internal error: ${spec.name} was to be contacted in a preflight-only run`);
  },
  closeAll: async () => {},
};

/**
 * --list-tasks, --list-tags, --syntax-check: the preflight pass (every role's code for every host,
 * arguments validated, templates rendered, variables and connection settings checked) and no
 * more. Bad input exits 1 as it would before a run; otherwise what was asked is printed, as text
 * in ansible-playbook's layout or with --json as one document.
 */
export async function runPreflightOnly(
  play: Play,
  mode: PreflightOnlyMode,
  options: Omit<RunOptions, 'connections' | 'preflightObserver' | 'preflightOnly'> & { observer?: PreflightObserver },
  output: { out: OutputStream; json: boolean },
): Promise<0> {
  const roles = listRoleHosts(play, options.inventory, { ...(options.limit !== undefined ? { limit: options.limit } : {}), ...(options.roles ? { roles: options.roles } : {}) });
  const tagsOf = new Map(play.roles.map((role) => [role.name, role.tags ?? []]));
  const listing = new TaskListing(roles.map((role) => ({ ...role, tags: tagsOf.get(role.name) ?? [] })));
  const { observer, ...runOptions } = options;
  const quiet = { emit: () => {}, close: () => {} };
  await runPlay(play, { ...runOptions, connections: noConnections, preflightOnly: true, preflightObserver: observeAll(listing, observer) }, quiet);
  const result = listing.result();
  const { out, json } = output;
  if (mode === 'list-tasks') {
    out.write(json ? `${JSON.stringify({ play: play.name, roles: result }, null, 2)}\n` : formatTaskList(play.name, result));
  } else if (mode === 'list-tags') {
    const roleTags = result.map((role) => ({ name: role.name, pattern: role.pattern, tags: role.tags, taskTags: taskTagsOf(role) }));
    out.write(json ? `${JSON.stringify({ play: play.name, roles: roleTags }, null, 2)}\n` : formatTagList(play.name, result));
  } else {
    const { hosts, tasks } = listing.counts();
    const summary = { play: play.name, syntaxCheck: 'passed', roles: result.length, hosts, tasks };
    out.write(
      json ? `${JSON.stringify(summary, null, 2)}\n` : `playbook: ${play.name}: preflight passed (${result.length} role(s), ${tasks} task call(s) on ${hosts} host(s)); no host was contacted\n`,
    );
  }
  return 0;
}
