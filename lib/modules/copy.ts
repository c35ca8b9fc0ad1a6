import { readControllerFile } from '../controller-file.ts';
import { isAbsolute, join } from 'node:path';
import { InputError, ModuleArgsError } from '../errors.ts';
import { defineModule, type PrepareEnv } from '../module.ts';
import type { Secret } from '../secret.ts';
import { rejectControlCharacters, isTextValue } from './support/args.ts';
import { planContent, type ContentData } from './support/content-plan.ts';
import { contentTarget, fileTargetArgs } from './support/file-target.ts';
import { argsSchema, checkedAcross, optional, type SchemaArgs } from './support/schema.ts';

export const copyArgs = argsSchema(
  {
    dest: fileTargetArgs.dest,
    src: optional('string', checkedAcross<string>(), "A controller file: relative to the project's files/ directory, or absolute."),
    content: optional('string | Buffer | Secret', checkedAcross<string | Buffer | Secret>(), 'The content itself; a Secret is written but never shown. Exactly one of src and content.'),
    owner: fileTargetArgs.owner,
    group: fileTargetArgs.group,
    mode: fileTargetArgs.mode,
    backup: fileTargetArgs.backup,
    directoryMode: fileTargetArgs.directoryMode,
  },
  {
    summary: 'Write one file on the host from a controller file or from the content given.',
    checkMode: 'One probe (stat and sha256 of dest); reports the create or update and attribute drift; `--diff` shows the content diff (secrets masked; binary or large files say so); writes nothing.',
    notes: ['The write is a private temp file in the same directory, given its final owner and mode, filled, then renamed over `dest`: never a half-written or briefly too-open file.'],
    across(args) {
      const raw: Record<string, unknown> = args;
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
    },
  },
);

export type CopyArgs = SchemaArgs<typeof copyArgs>;

/** Controller files read by prepare(), per prepared args object, so plan() does not read them again. */
const loaded = new WeakMap<CopyArgs, Buffer>();

/** Where a controller file named by src lives: absolute, or under the project's files/. */
export function resolveControllerFile(projectDir: string, src: string): string {
  return isAbsolute(src) ? src : join(projectDir, 'files', src);
}

export const copy = defineModule<CopyArgs, ContentData>({
  name: 'copy',
  batchProbes: true,

  schema: copyArgs,
  validate: copyArgs.validate,

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
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory (copy takes one file)' : (code ?? String(error));
    throw new InputError(`cannot read ${file}: ${why}`, { field: 'src' }, { cause: error });
  }
}
