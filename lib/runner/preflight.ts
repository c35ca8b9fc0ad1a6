import type { ConnectionSpec } from '../connection/spec.ts';
import { InputError } from '../errors.ts';
import type { Inventory } from '../inventory/types.ts';
import type { Module } from '../module.ts';
import type { TaskResult } from '../result.ts';
import type { Handler, Role, TaskApi, TaskOptions } from '../role.ts';
import { gatherFacts } from '../facts/gather-facts.ts';
import type { HostFacts } from '../facts/host-facts.ts';
import { SecretInStringError } from '../secret.ts';
import { validateArgs } from '../task/execute.ts';
import type { Vars } from '../vars.ts';
import { FactStore } from './fact-store.ts';
import { isSet, roleHostVars } from './host-vars.ts';
import { hostvarsView } from './hostvars-view.ts';
import type { RunOptions } from './options.ts';
import { observedTask, watchedResult } from './preflight-observer.ts';
import { dependsOnUnknown, UNKNOWN, unknownData } from './preflight-unknown.ts';
import type { TaskPredictions } from './predicted-task.ts';
import { isSelectedByTags, taskTags } from './tags.ts';
import { buildTaskApi } from './task-api.ts';
import { TaskLane, TaskLeftRunningError } from './task-lane.ts';
import { checkTaskOptions } from './task-options.ts';

/** Ends one host's preflight quietly: t.fail(), or role code that needs real data to go on. */
class PreflightStop extends Error {}

/** Role code stuck waiting for real data (a polling loop) is cut off after this long or this many calls. */
const HOST_BUDGET_MS = 5000;
const HOST_CALL_BUDGET = 5000;

type SpecFor = (inventory: Inventory, host: string, vars: Vars) => ConnectionSpec;

/**
 * The preflight pass, run before any connection is opened, so that bad input aborts the run before
 * a single host is changed (the CLI then exits 1). For every selected role and each of its hosts:
 *  - every name in `role.required` must be set (InputError naming role, host and variable);
 *  - the host's connection spec is derived (bad connection vars are input errors too);
 *  - the role's run() and then every handler run with a task API whose module methods only
 *    validate the arguments and call the module's prepare() (templates rendered, local files
 *    read), returning `{status:'ok', changed:false, changes:[], data}` where every data field is
 *    unknown (see preflight-unknown.ts). Tags select tasks as in the real run; notify names must
 *    be handlers of the role.
 * The tasks it sees a run() call, with their prepared arguments, are recorded in `predictions`
 * (modules with batchProbes only, not delegated), for the runner to batch their probes; so is
 * the fact gathering of the first role that asks a host for its facts.
 * Task options are checked too (delegateTo names an inventory host whose connection variables are
 * sound, retries and delayS are numbers), and so are the names given to setFact. Facts set here
 * are kept for the rest of the preflight; another host's variable that nothing has set yet reads
 * as UNKNOWN ("not known yet": the real run may set it first).
 * An InputError (ModuleArgsError included) aborts the run: the first one, in play order, is thrown.
 * t.fail(), any other exception (role code that depends on real results, e.g. reading
 * `r.data.stdout` of an earlier task) and a host exceeding the budget end that host's preflight
 * quietly: what it could not check is checked when the task really runs.
 */
export async function preflight(roles: ReadonlyArray<{ role: Role; hosts: readonly string[] }>, options: RunOptions, specFor: SpecFor, predictions: TaskPredictions): Promise<void> {
  const shared: PreflightShared = { facts: new FactStore(), factsPredicted: new Set() };
  for (const { role, hosts } of roles) {
    const outcomes = await Promise.all(hosts.map((host) => preflightHost(role, host, options, specFor, predictions, shared)));
    const error = outcomes.find((outcome) => outcome !== undefined);
    if (error) throw error;
  }
}

/** What the preflight of every role and host shares: the facts set so far, whose facts() is predicted. */
interface PreflightShared {
  facts: FactStore;
  factsPredicted: Set<string>;
}

async function preflightHost(role: Role, host: string, options: RunOptions, specFor: SpecFor, predictions: TaskPredictions, shared: PreflightShared): Promise<InputError | undefined> {
  const { inventory } = options;
  const vars = roleHostVars(role.defaults, inventory.host(host), options.extraVars, shared.facts.of(host));
  for (const name of role.required ?? []) {
    if (!isSet(vars, name)) {
      return new InputError(`role ${role.name} requires variable "${name}", which is not set (set it in the inventory or with -e ${name}=...)`, { host, field: name });
    }
  }
  try {
    specFor(inventory, host, vars);
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }

  const budget = { deadline: performance.now() + HOST_BUDGET_MS, calls: 0, over: false };
  const check = async (): Promise<InputError | undefined> => {
    const codes: Array<[string, Handler | Role['run']]> = [
      [`role ${role.name}'s run()`, role.run],
      ...Object.entries<Handler>(role.handlers ?? {}).map(([name, handler]): [string, Handler] => [`handler ${name}`, handler]),
    ];
    for (const [index, [what, code]] of codes.entries()) {
      try {
        const lane = new TaskLane(host);
        const api = preflightApi(role, host, options, index > 0, budget, predictions, shared, specFor, lane);
        await (code as (t: TaskApi<string>, vars: Vars) => Promise<void>)(api, vars);
        const running = await lane.leftRunning();
        if (running !== undefined) return new TaskLeftRunningError(host, running, what);
      } catch (error) {
        if (error instanceof InputError) return withHost(error, host);
        if (error instanceof SecretInStringError) return new InputError(`role ${role.name}: ${error.message}`, { host }, { cause: error });
        if (index === 0) options.preflightObserver?.dependsOnResults(role, host);
        if (budget.over) return undefined;
      }
    }
    return undefined;
  };
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => {
      budget.over = true;
      options.preflightObserver?.dependsOnResults(role, host);
      resolve(undefined);
    }, HOST_BUDGET_MS);
  });
  try {
    return await Promise.race([check(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function preflightApi(
  role: Role,
  host: string,
  options: RunOptions,
  handler: boolean,
  budget: { deadline: number; calls: number; over: boolean },
  predictions: TaskPredictions,
  shared: PreflightShared,
  specFor: SpecFor,
  lane: TaskLane,
): TaskApi<string> {
  const { inventory } = options;
  const entry = inventory.host(host);
  const guard = (): void => {
    budget.calls++;
    if (budget.over || budget.calls > HOST_CALL_BUDGET || performance.now() > budget.deadline) {
      budget.over = true;
      throw new PreflightStop();
    }
  };
  const neutral = <R>(): TaskResult<R> =>
    watchedResult({ status: 'ok', changed: false, changes: [], data: unknownData<R>() }, () => handler || options.preflightObserver?.dependsOnResults(role, host));
  const predict = <A, R>(name: string, module: Module<A, R>, args: A, taskOptions: TaskOptions<string, R>): void => {
    const { become, becomeUser } = taskOptions;
    predictions.add(role, host, { name, module: module as Module<unknown, unknown>, args, ...(become !== undefined ? { become } : {}), ...(becomeUser !== undefined ? { becomeUser } : {}) });
  };
  return buildTaskApi<string>(
    {
      host: { name: entry.name, groups: entry.groups },
      check: options.check,
      async call<A, R>(name: string, module: Module<A, R>, args: A, taskOptions: TaskOptions<string, R> = {}): Promise<TaskResult<R>> {
        guard();
        if (!handler) checkNotify(role, host, name, taskOptions.notify);
        if (!dependsOnUnknown(taskOptions.delegateTo)) checkDelegation(role, host, name, taskOptions as TaskOptions<string>, options, specFor);
        if (!handler) options.preflightObserver?.task(role, host, observedTask(role, name, module, taskOptions.tags, options));
        if (!handler && !isSelectedByTags(taskTags(role.tags, taskOptions.tags), options)) {
          return { status: 'skipped', changed: false, changes: [], msg: 'not selected by tags', data: {} };
        }
        if (dependsOnUnknown(args)) {
          // Not checkable before the run; its probe may still not depend on the unknown part (a
          // download's destination, when its URL depends on the host's architecture).
          if (!handler && module.batchProbes && taskOptions.delegateTo === undefined) predict(name, module, args, taskOptions);
          return neutral<R>();
        }
        const valid = validateArgs(module, args, name, host);
        let prepared: A;
        try {
          const vars = roleHostVars(role.defaults, inventory.host(host), options.extraVars, shared.facts.of(host));
          prepared = module.prepare ? await module.prepare(valid, { host, vars, projectDir: options.projectDir }) : valid;
        } catch (error) {
          if (error instanceof InputError) throw withHost(error, host, name);
          throw error;
        }
        if (!handler && module.batchProbes && taskOptions.delegateTo === undefined) predict(name, module, prepared, taskOptions);
        return neutral<R>();
      },
      flush: async () => guard(),
      hostvars: (other) => {
        if (dependsOnUnknown(other)) throw new PreflightStop();
        return hostvarsView(roleHostVars(role.defaults, inventory.host(other), options.extraVars, shared.facts.of(other)), () => UNKNOWN);
      },
      setFact: (name, value) => shared.facts.set(host, name, value, { role: role.name }),
      facts: async () => {
        guard();
        if (!shared.factsPredicted.has(host)) {
          shared.factsPredicted.add(host);
          predictions.add(role, host, { name: 'gather facts', module: gatherFacts as Module<unknown, unknown>, args: {} });
        }
        return unknownData<HostFacts>() as HostFacts;
      },
      hostsOf: (pattern) => {
        if (dependsOnUnknown(pattern)) throw new PreflightStop();
        return inventory.select(pattern);
      },
      fail: () => {
        throw new PreflightStop();
      },
      lane,
    },
    role.modules,
  );
}

/** delegateTo must name an inventory host whose connection variables are sound; the rest of the options are checked too. */
function checkDelegation(role: Role, host: string, task: string, taskOptions: TaskOptions<string>, options: RunOptions, specFor: SpecFor): void {
  const { inventory } = options;
  checkTaskOptions(taskOptions, inventory, { host, task });
  const delegate = taskOptions.delegateTo;
  if (delegate === undefined || delegate === host) return;
  try {
    specFor(inventory, delegate, roleHostVars(role.defaults, inventory.host(delegate), options.extraVars));
  } catch (error) {
    if (error instanceof InputError) throw new InputError(`delegateTo ${delegate}: ${error.message}`, { host, task, field: 'delegateTo' }, { cause: error });
    throw error;
  }
}

function checkNotify(role: Role, host: string, task: string, notify: string | readonly string[] | undefined): void {
  const known = Object.keys(role.handlers ?? {});
  for (const name of notify === undefined ? [] : typeof notify === 'string' ? [notify] : notify) {
    if (!known.includes(name)) {
      const list = known.length ? `its handlers are: ${known.join(', ')}` : 'it has no handlers';
      throw new InputError(`notifies "${name}", which is not a handler of role ${role.name} (${list})`, { host, task, field: 'notify' });
    }
  }
}

/** The same error, of the same class, with the host (and task) added when it did not name them. */
function withHost(error: InputError, host: string, task?: string): InputError {
  if (error.where?.host) return error;
  const Kind = error.constructor as new (message: string, where: InputError['where'], options: { cause: unknown }) => InputError;
  return new Kind(error.reason, { ...error.where, host, ...(task && !error.where?.task ? { task } : {}) }, { cause: error });
}
