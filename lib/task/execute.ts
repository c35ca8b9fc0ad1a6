import { ModuleArgsError } from '../errors.ts';
import type { Module, ModuleContext } from '../module.ts';
import type { TaskResult } from '../result.ts';

export interface ExecuteOptions {
  /** Task name, for error messages. */
  task: string;
  /** Check mode: plan, report, apply nothing. */
  check: boolean;
}

/** Validate a module's arguments on the controller, naming task, host and field on failure. */
export function validateArgs<A, R>(module: Module<A, R>, args: A, task: string, host?: string): A {
  try {
    return module.validate(args);
  } catch (error) {
    if (error instanceof ModuleArgsError) {
      throw new ModuleArgsError(`${module.name}: ${error.reason}`, { ...error.where, task, ...(host ? { host } : {}) }, { cause: error });
    }
    throw error;
  }
}

/**
 * Run one module call on one host: validate, probe and plan, then apply the plan unless in check
 * mode. Errors from the host (a failed command, a lost connection) propagate to the runner.
 */
export async function executeTask<A, R>(ctx: ModuleContext, module: Module<A, R>, args: A, options: ExecuteOptions): Promise<TaskResult<R>> {
  const checked = validateArgs(module, args, options.task, ctx.host);
  const valid = module.prepare ? await module.prepare(checked, ctx) : checked;
  const plan = await module.plan(ctx, valid);
  const data: Partial<R> = { ...plan.data };
  if (plan.skip !== undefined) {
    return { status: 'skipped', changed: false, changes: [], msg: plan.skip, data };
  }
  const changes = plan.changes;
  const diff =
    changes
      .map((c) => c.diff)
      .filter((d): d is string => !!d)
      .join('\n') || undefined;
  const summaries = changes.map((c) => c.summary);
  if (changes.length === 0) return { status: 'ok', changed: false, changes: [], data };
  if (options.check) {
    const unpredictable = changes.filter((c) => c.predictable === false);
    if (unpredictable.length > 0) {
      return { status: 'skipped', changed: false, changes: summaries, msg: unpredictableMessage(unpredictable), data };
    }
    return { status: 'changed', changed: true, changes: summaries, ...(diff ? { diff } : {}), data };
  }
  let changed = false;
  for (const change of changes) {
    const outcome = await change.apply();
    if (outcome?.data) Object.assign(data, outcome.data);
    changed ||= outcome?.changed ?? true;
  }
  return {
    status: changed ? 'changed' : 'ok',
    changed,
    changes: changed ? summaries : [],
    ...(diff && changed ? { diff } : {}),
    data,
  };
}

/** "cannot predict: <reason>; <reason>" from the changes' reasons, or the general words when none gives one. */
function unpredictableMessage(changes: ReadonlyArray<{ readonly reason?: string | undefined }>): string {
  const reasons = [...new Set(changes.map((c) => c.reason).filter((r): r is string => r !== undefined && r !== ''))];
  return reasons.length > 0 ? `cannot predict: ${reasons.join('; ')}` : 'cannot predict the outcome in check mode';
}
