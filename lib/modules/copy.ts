import { readControllerFile } from '../controller-file.ts';
import { isAbsolute, join } from 'node:path';
import { InputError, ModuleArgsError } from '../errors.ts';
import { defineModule, type PrepareEnv } from '../module.ts';
import type { Secret } from '../secret.ts';
import { rejectControlCharacters, requireObject, isTextValue } from './support/args.ts';
import { planContent, type ContentData } from './support/content-plan.ts';
import { contentTarget, validateFileTarget, type FileTargetArgs } from './support/file-target.ts';

export interface CopyArgs extends FileTargetArgs {
  /** A controller file: relative to the project's files/ directory, or absolute. */
  src?: string;
  /** The content itself; a Secret is written but never shown. Exactly one of src and content. */
  content?: string | Buffer | Secret;
}

const KNOWN = ['dest', 'src', 'content', 'owner', 'group', 'mode', 'backup', 'directoryMode'] as const;

/** Controller files read by prepare(), per prepared args object, so plan() does not read them again. */
const loaded = new WeakMap<CopyArgs, Buffer>();

/** Where a controller file named by src lives: absolute, or under the project's files/. */
export function resolveControllerFile(projectDir: string, src: string): string {
  return isAbsolute(src) ? src : join(projectDir, 'files', src);
}

export const copy = defineModule<CopyArgs, ContentData>({
  name: 'copy',
  batchProbes: true,

  validate(args) {
    const raw = requireObject(args, KNOWN);
    validateFileTarget(raw);
    const hasSrc = raw.src !== undefined;
    const hasContent = raw.content !== undefined;
    if (hasSrc === hasContent) {
      throw new ModuleArgsError(hasSrc ? 'give either src or content, not both' : 'give src (a controller file) or content', { field: hasSrc ? 'content' : 'src' });
    }
    if (hasSrc) {
      if (typeof raw.src !== 'string' || raw.src === '') throw new ModuleArgsError('must be a file path on the controller', { field: 'src' });
      rejectControlCharacters(raw.src, 'src');
    }
    if (hasContent && !isTextValue(raw.content) && !Buffer.isBuffer(raw.content)) {
      throw new ModuleArgsError(`must be a string, a Buffer or a Secret, got ${typeof raw.content}`, { field: 'content' });
    }
    return args;
  },

  async prepare(args, env) {
    if (args.src === undefined) return args;
    const prepared = { ...args };
    loaded.set(prepared, await readSource(env, args.src));
    return prepared;
  },

  async plan(ctx, args) {
    const content = args.content ?? loaded.get(args) ?? (await readSource(ctx, args.src ?? ''));
    return planContent(ctx, contentTarget(args, content));
  },
});

async function readSource(env: PrepareEnv, src: string): Promise<Buffer> {
  const file = resolveControllerFile(env.projectDir, src);
  try {
    return await readControllerFile(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory (copy takes one file)' : code ?? String(error);
    throw new InputError(`cannot read ${file}: ${why}`, { field: 'src' }, { cause: error });
  }
}
