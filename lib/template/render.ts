import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, sep } from 'node:path';
import { InputError } from '../errors.ts';
import { lazy } from '../lazy.ts';
import { isSecret } from '../secret.ts';
import type { Vars } from '../vars.ts';
import { COMPILE_OPTIONS, createEnvironment } from './environment.ts';
import { templateError } from './errors.ts';

export interface RenderRequest {
  /** The project's templates/ directory. */
  readonly templatesDir: string;
  /** The template: relative to templatesDir (its first folder is the role), or absolute. */
  readonly src: string;
  readonly vars: Vars;
  /** Paths in messages are shown relative to this directory (the project's). */
  readonly displayRoot?: string;
}

type TemplateFn = (context: unknown, options?: { partials?: Record<string, TemplateFn> }) => string;

interface Compiled {
  readonly mtimeMs: number;
  readonly size: number;
  readonly render: TemplateFn;
}

/** Made when the first template compiles: handlebars is loaded then, not when a playbook starts. */
const environment = lazy(createEnvironment);
const cache = new Map<string, Compiled>();

/**
 * Render a Handlebars template with strict variables. Partials come from templates/_partials/
 * and, overriding them, templates/<role>/partials/ (`{{> name}}` for name.hbs, `{{> dir/name}}`
 * below). Secret values render as their real value: the file needs it; diffs mask it later.
 */
export function renderTemplate(request: RenderRequest): string {
  const file = isAbsolute(request.src) ? request.src : join(request.templatesDir, request.src);
  const display = (path: string) => (request.displayRoot && !relative(request.displayRoot, path).startsWith('..') ? relative(request.displayRoot, path) : path);
  if (!existsSync(file) || !statSync(file).isFile()) {
    throw new InputError(`template ${display(file)} not found`, { field: 'src' });
  }
  const partials: Record<string, TemplateFn> = {};
  for (const dir of partialDirs(request.templatesDir, request.src)) {
    for (const [name, path] of listPartials(dir)) partials[name] = compileFile(path, display(path));
  }
  return compileFile(file, display(file))(revealSecrets(request.vars), { partials });
}

/** Partial folders for a template, the role's last so that it overrides the shared ones. */
function partialDirs(templatesDir: string, src: string): string[] {
  const dirs = [join(templatesDir, '_partials')];
  const role = isAbsolute(src) ? undefined : src.split(/[\\/]/)[0];
  if (role && role !== src && role !== '_partials') dirs.push(join(templatesDir, role, 'partials'));
  return dirs;
}

function listPartials(dir: string, prefix = ''): Array<[string, string]> {
  if (!existsSync(dir)) return [];
  const found: Array<[string, string]> = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...listPartials(path, `${prefix}${entry.name}/`));
    else if (entry.name.endsWith('.hbs')) found.push([`${prefix}${entry.name.slice(0, -4)}`.split(sep).join('/'), path]);
  }
  return found;
}

/** Compiled once per file and kept while the file's mtime and size stay the same. */
function compileFile(path: string, display: string): TemplateFn {
  const stat = statSync(path);
  const cached = cache.get(path);
  if (cached && cached.mtimeMs === stat.mtimeMs && cached.size === stat.size) return cached.render;
  const source = readFileSync(path, 'utf8');
  const compiled = environment().compile(source, COMPILE_OPTIONS) as TemplateFn;
  const render: TemplateFn = (context, options) => {
    try {
      return compiled(context, options);
    } catch (error) {
      throw templateError(error, display, source);
    }
  };
  cache.set(path, { mtimeMs: stat.mtimeMs, size: stat.size, render });
  return render;
}

/** A copy of the variables with every Secret replaced by its value (plain objects and arrays only). */
export function revealSecrets(value: unknown, seen = new Map<object, unknown>()): unknown {
  if (isSecret(value)) return value.reveal();
  if (typeof value !== 'object' || value === null) return value;
  const done = seen.get(value);
  if (done !== undefined) return done;
  if (Array.isArray(value)) {
    const copy: unknown[] = [];
    seen.set(value, copy);
    for (const item of value) copy.push(revealSecrets(item, seen));
    return copy;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value;
  const copy: Record<string, unknown> = {};
  seen.set(value, copy);
  for (const [key, item] of Object.entries(value)) copy[key] = revealSecrets(item, seen);
  return copy;
}
