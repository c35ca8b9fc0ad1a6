import { InputError } from './errors.ts';
import { builtinModules, type BuiltinModules } from './modules/index.ts';
import { defineRole, type ModuleSet, type Role, type RoleDef } from './role.ts';
import { TASK_API_MEMBERS, type TaskApiMember } from './runner/task-api.ts';

/** `then` too: an object with a then method is taken for a promise by `await` and `return`. */
type ReservedName = keyof BuiltinModules | TaskApiMember | 'then';

const RESERVED: ReadonlySet<string> = new Set<string>([...Object.keys(builtinModules), ...TASK_API_MEMBERS, 'then']);

/** A name that clashes gets this message as its type, so tsc says what is wrong where it is written. */
type Clashes<M> = {
  readonly [K in keyof M & ReservedName]: `"${K & string}" is already a member of the task API (a built-in module or t.${K & string}): register the module under another name`;
};

/** What withModules gives a project: defineRole whose `t` has the project's modules as methods. */
export interface ProjectModules<M extends ModuleSet> {
  readonly modules: M;
  /**
   * defineRole with the project's modules on the task API of the role and of its handlers:
   * `t.iniFile(name, args, options)`, typed by the module's arguments and data.
   */
  readonly defineRole: <V extends object, H extends string = never, R extends keyof V & string = never>(def: RoleDef<V, H, R, M>) => Role<V, H, R, M>;
}

/**
 * Register a project's own modules, each under the name a role calls it with:
 *
 *   export const { defineRole } = withModules({ iniFile });
 *   defineRole({ ..., async run(t) { await t.iniFile('journal size', { path, section, option, value }) } });
 *
 * A name the task API already has (a built-in module, run, flush, facts, ...) is refused, by the
 * type checker and here, before any host is touched; so is a value that is not a module.
 */
export function withModules<const M extends ModuleSet>(modules: M & Clashes<M>): ProjectModules<M> {
  const where = callerFile();
  if (typeof modules !== 'object' || modules === null || Array.isArray(modules)) {
    throw new InputError(`withModules takes an object of modules by name ({ iniFile }), got ${modules === null ? 'null' : Array.isArray(modules) ? 'an array' : typeof modules}`, where);
  }
  for (const [key, module] of Object.entries(modules)) checkEntry(key, module, where, 'withModules');
  const registered: M = Object.freeze({ ...modules });
  return {
    modules: registered,
    defineRole: <V extends object, H extends string = never, R extends keyof V & string = never>(def: RoleDef<V, H, R, M>): Role<V, H, R, M> =>
      ({
        ...defineRole<V, H, R>(def as unknown as RoleDef<V, H, R>),
        modules: registered,
      }) as Role<V, H, R, M>,
  };
}

/**
 * A role's modules as the runner will put them on its task API, checked before any host is
 * touched: withModules checked them already, but a role object may be assembled by hand.
 */
export function checkRoleModules(role: { readonly name: string; readonly modules?: ModuleSet | undefined }): void {
  if (role.modules === undefined) return;
  const who = `role ${role.name}'s modules`;
  if (typeof role.modules !== 'object' || role.modules === null || Array.isArray(role.modules)) {
    throw new InputError(`${who} must be an object of modules by name, as withModules gives`, { field: 'modules' });
  }
  for (const [key, module] of Object.entries(role.modules)) checkEntry(key, module, {}, who);
}

function checkEntry(key: string, module: unknown, where: { file?: string; line?: number }, who: string): void {
  const at = { ...where, field: key };
  if (!/^[A-Za-z_$][\w$]*$/.test(key)) {
    throw new InputError(`${who}: a module's name must be a JavaScript identifier, to be called as t.<name>(...); got ${JSON.stringify(key)}`, at);
  }
  if (RESERVED.has(key)) {
    const what = key in builtinModules ? 'a built-in module' : key === 'then' ? 'the promise method then' : `the task API's own t.${key}`;
    throw new InputError(`${who}: "${key}" is already ${what}: register the module under another name`, at);
  }
  const candidate = module as { name?: unknown; validate?: unknown; plan?: unknown; prepare?: unknown } | null;
  const problem =
    typeof candidate !== 'object' || candidate === null
      ? `got ${candidate === null ? 'null' : typeof candidate}`
      : typeof candidate.name !== 'string' || candidate.name === ''
        ? 'it has no name'
        : typeof candidate.validate !== 'function'
          ? 'it has no validate() function'
          : typeof candidate.plan !== 'function'
            ? 'it has no plan() function'
            : candidate.prepare !== undefined && typeof candidate.prepare !== 'function'
              ? 'its prepare is not a function'
              : undefined;
  if (problem !== undefined) {
    throw new InputError(`${who}: "${key}" must be a module made with defineModule (name, validate, plan): ${problem}`, at);
  }
}

/** The file and line that called withModules, for the error; absent when the stack does not say. */
function callerFile(): { file?: string; line?: number } {
  const frames = (new Error().stack ?? '').split('\n').slice(1);
  for (const frame of frames) {
    const match = /\(?(?:file:\/\/)?(\/[^():]+):(\d+):\d+\)?\s*$/.exec(frame);
    if (!match || match[1]?.endsWith('/lib/module-set.ts')) continue;
    const path = match[1] ?? '';
    const cwd = process.cwd();
    return { file: path.startsWith(`${cwd}/`) ? path.slice(cwd.length + 1) : path, line: Number(match[2]) };
  }
  return {};
}
