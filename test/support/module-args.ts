import * as assert from 'uvu/assert';
import { ModuleArgsError } from '../../lib/errors.ts';
import type { Module } from '../../lib/module.ts';
import { validateArgs } from '../../lib/task/execute.ts';

/**
 * validate() through the runner's wrapper, as a task would, must refuse args: a ModuleArgsError
 * whose message names host, task, field and module, then matches pattern.
 */
export function assertArgsRejected<A, R>(module: Module<A, R>, args: unknown, field: string, pattern: RegExp): void {
  try {
    validateArgs(module, args as A, 'my task', 'h1');
  } catch (error) {
    assert.instance(error, ModuleArgsError, `${JSON.stringify(args)}: ${String(error)}`);
    const e = error as ModuleArgsError;
    assert.is(e.where?.field, field, e.message);
    assert.match(e.message, new RegExp(`^host h1, task "my task", field "${field}": ${module.name}: `), e.message);
    assert.match(e.message, pattern);
    return;
  }
  assert.unreachable(`${module.name} accepted ${JSON.stringify(args)}`);
}

/**
 * validate() through the runner's wrapper must accept args and hand them on unchanged: the same
 * values (Secrets and Buffers included), so a validate that drops or rewrites a field fails too.
 */
export function assertArgsAccepted<A, R>(module: Module<A, R>, args: A): void {
  let out: A;
  try {
    out = validateArgs(module, args, 'my task', 'h1');
  } catch (error) {
    assert.unreachable(`${module.name} refused ${JSON.stringify(args)}: ${String(error)}`);
    return;
  }
  assert.equal(out, args, `${module.name} changed the arguments it accepted`);
}
