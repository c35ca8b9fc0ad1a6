/** ploy's public API: everything a playbook, a role or a project's own module needs. */
export { definePlay, defineRole } from './role.ts';
export type { Handler, HostView, Play, Role, RoleDef, TaskApi, TaskOptions } from './role.ts';
export { defineModule } from './module.ts';
/** A project's own modules as methods of a role's `t`; the module author's toolkit is 'ploy/module-kit'. */
export { withModules } from './module-set.ts';
export type { ProjectModules } from './module-set.ts';
export type { ModuleSet, NoModules } from './role.ts';
/** For a project's own modules: read a probe's `key=value` lines (lib/modules/support/probe.ts). */
export { parseProbeOutput } from './modules/support/probe.ts';
export type { Change, Module, ModuleContext, Plan, PrepareEnv } from './module.ts';
export type { TaskResult, TaskStatus } from './result.ts';
export type { HostFacts, Ipv4Address } from './facts/host-facts.ts';
export type { Vars } from './vars.ts';

export { runPlaybook, playbookMain } from './cli/main.ts';
export type { ExitCode, PlaybookCliOptions } from './cli/main.ts';
export { parseFlags, withSharedFlags } from './cli/flags.ts';
export { defineFlags } from './cli/flag-table.ts';
export { runPlay } from './runner/run-play.ts';
export type { RunOptions, RunSummary } from './runner/run-play.ts';
export { StartAtTask } from './runner/start-at-task.ts';
export type { ObservedTask, PreflightObserver } from './runner/preflight-observer.ts';
export type { HostStats, Reporter, RunEvent } from './runner/events.ts';
export { createReporter } from './report/create.ts';

export { loadInventory, inventoryFromYaml } from './inventory/load.ts';
export type { Inventory, InventoryGroup, InventoryHost } from './inventory/types.ts';
export { parseExtraVars } from './vars/extra-vars.ts';
export { markSecrets, ALWAYS_SECRET_VARS } from './vars/secrets.ts';
export {
  optionalBoolean,
  optionalNumber,
  optionalSecret,
  optionalString,
  optionalStringList,
  requireBoolean,
  requireNumber,
  requireSecret,
  requireString,
  requireStringList,
} from './vars/accessors.ts';

export { ConnectionPool } from './connection/pool.ts';
export { describeExit } from './connection/connection.ts';
export type { Connection, ExecOptions, ExecResult } from './connection/connection.ts';
export type { ConnectionDefaults } from './connection/spec.ts';

export { builtinModules } from './modules/index.ts';
export { renderTemplate } from './template/render.ts';

export { secret, isSecret, mask, reveal, Secret, SecretInStringError } from './secret.ts';
export { UnsetHostVarError } from './runner/hostvars-view.ts';
export { quote, sh } from './shell.ts';
export { CommandError, HostKeyError, InputError, ModuleArgsError, PloyError, TaskFailedError, UnreachableError } from './errors.ts';
