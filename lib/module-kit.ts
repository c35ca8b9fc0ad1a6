/**
 * ploy/module-kit: what a project's own module is made of, the parts the built-in modules use.
 * A module validates its arguments on the controller, probes the host in one command, plans the
 * changes, and applies them only when the runner says so (never in check mode). Register it with
 * withModules (from 'ploy') to call it as t.<name>(...). The README's "Writing your own module"
 * walks through examples/ini-file/.
 *
 * A module's arguments are declared once, with argsSchema: each argument's type, its check and
 * its line of reference text; the schema gives the TypeScript type (SchemaArgs) and validate().
 * The checks live in the `argCheck` namespace, so that they never shadow the role author's
 * variable accessors (requireString, optionalBoolean, ...) that 'ploy' exports.
 */
import {
  oneOf,
  optionalAbsolutePath,
  optionalAccount,
  optionalBoolean,
  optionalFunction,
  optionalPositiveInteger,
  optionalString,
  rejectControlCharacters,
  requireAbsolutePath,
  requireObject,
} from './modules/support/args.ts';
import { fileTargetArgs } from './modules/support/file-target.ts';
import { parseMode } from './modules/support/mode.ts';

// The contract: a module, what it sees of the host, and the plan it returns.
export { defineModule } from './module.ts';
export type { ArgsOf, Change, DataOf, Module, ModuleContext, Plan, PrepareEnv } from './module.ts';

// Arguments declared once, as the built-ins declare theirs (lib/modules/group.ts):
//   export const myArgs = argsSchema({ path: required('string', argCheck.absolutePath, 'The file.'), ... },
//     { summary: '...', checkMode: '...', across(args) { /* rules between arguments */ } });
//   export type MyArgs = SchemaArgs<typeof myArgs>;
//   defineModule<MyArgs, MyData>({ name, schema: myArgs, validate: myArgs.validate, plan ... })
export { argsSchema, checkedAcross, choice, choiceType, optional, PRESENCE, required } from './modules/support/schema.ts';
export type { ArgsFrom, ArgSpec, ArgSpecs, ArgsSchema, ModuleDoc, SchemaArgs } from './modules/support/schema.ts';

/** owner, group and mode of a file a module writes, with the built-ins' checks and reference text: spread them into a schema. */
export const fileAttributeArgs = Object.freeze({ owner: fileTargetArgs.owner, group: fileTargetArgs.group, mode: fileTargetArgs.mode });

// Errors a module raises: bad arguments (before any host is touched), a failed task, a failed command.
export { CommandError, InputError, ModuleArgsError, TaskFailedError } from './errors.ts';

/**
 * Argument checks for validate(): each returns the value (narrowed) or throws ModuleArgsError
 * naming the field. `object` refuses unknown keys, so a misspelled argument is an error, not a no-op.
 */
export const argCheck = Object.freeze({
  /** The arguments as a record with only the known keys. */
  object: requireObject,
  absolutePath: requireAbsolutePath,
  optionalAbsolutePath,
  /** A path or word that goes into line-based probe output: no newline, tab or other control character. */
  noControlCharacters: rejectControlCharacters,
  oneOf,
  optionalBoolean,
  optionalString,
  optionalPositiveInteger,
  optionalFunction,
  /** An owner or group: a name as useradd accepts it, or a numeric id written as a string. */
  optionalAccount,
  /** A file mode: '0644', 'u+rwx,g-w' (symbolic, as chmod takes it); a number is refused (write it as a string). */
  mode: parseMode,
});

// Probe framing: ONE remote command prints `key=value` lines, parsed here. Exec it with
// `{ probe: true }` as plan()'s first command, and set batchProbes, to have it sent in the
// same round trip as the probes of the tasks that come after it.
export { runChecked } from './modules/support/run.ts';
export { HEADER_SCRIPT as probeHeaderScript, parseProbeOutput, pathProbeScript, readHeader as readProbeHeader, readPathState, shellWord } from './modules/support/probe.ts';
export type { PathState, PathType, PresentPath, ProbeHeader, ShellPath } from './modules/support/probe.ts';

// Whole files: a text file edited in place, or a file that must hold given content. Both probe once,
// write atomically with the final owner and mode, keep a backup when asked, and give --diff its diff.
export { planTextEdit } from './modules/support/text-file-edit.ts';
export type { TextEdit, TextEditData, TextEditTarget } from './modules/support/text-file-edit.ts';
export { planContent } from './modules/support/content-plan.ts';
export type { ContentData, ContentTarget } from './modules/support/content-plan.ts';
export { atomicWriteCommand, parentOf } from './modules/support/atomic-write.ts';
export type { AtomicWrite } from './modules/support/atomic-write.ts';
export { contentDiff } from './modules/support/content-diff.ts';
export type { DiffSide } from './modules/support/content-diff.ts';
export { formatMode } from './modules/support/mode.ts';
export type { ModeSpec } from './modules/support/mode.ts';

// Shell words: every value put into a remote command is quoted at the boundary.
export { quote, sh } from './shell.ts';
