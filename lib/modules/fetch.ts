import { createHash, randomBytes } from 'node:crypto';
import { chmod, mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join } from 'node:path';
import { ModuleArgsError, TaskFailedError } from '../errors.ts';
import { defineModule, type Change } from '../module.ts';
import { registerSecret } from '../secret.ts';
import { optionalBoolean, optionalFunction, rejectControlCharacters, requireAbsolutePath } from './support/args.ts';
import { contentDiff } from './support/content-diff.ts';
import { formatMode, parseMode, resolveMode } from './support/mode.ts';
import { decodeUtf8, readRemoteFile } from './support/remote-read.ts';
import { modeString } from './support/file-target.ts';
import { argsSchema, optional, required, type SchemaArgs } from './support/schema.ts';

export const fetchArgs = argsSchema(
  {
    src: required('string', requireAbsolutePath, 'The file on the host (links followed).'),
    dest: required('string', controllerPath, "The controller file to write: absolute, or relative to the project directory; {host} is replaced by the host's name."),
    transform: optional('(text: string) => string', optionalFunction<(text: string) => string>, 'Rewrite the text before it is compared and written (e.g. point a kubeconfig at another server).'),
    mode: optional('string', modeString, 'Mode of the controller file; 0600 by default since fetched files (kubeconfigs) often hold credentials.', "'0600'"),
    failOnMissing: optional('boolean', optionalBoolean, 'A missing src is an error; false: ok, nothing written.', 'true'),
    secret: optional('boolean', optionalBoolean, 'The content holds secrets: registered for masking, never echoed, no diff shown.'),
  },
  {
    summary: 'Copy a file from the host to the controller.',
    checkMode: 'Reads the host file and compares with the controller file; reports the write (with a diff, hidden for `secret`); writes nothing.',
    notes: ['`secret: true` keeps the content out of every output, including the -vv command echo (the command is marked `secretOutput`), and registers it for masking.'],
  },
);

export type FetchArgs = SchemaArgs<typeof fetchArgs>;

function controllerPath(value: unknown, field: string): string {
  if (typeof value !== 'string' || value === '' || value.endsWith('/')) throw new ModuleArgsError('must be the full path of the controller file to write', { field });
  rejectControlCharacters(value, field);
  return value;
}

export interface FetchData {
  /** The controller path written. */
  dest: string;
  sha256: string;
  size: number;
}

const DEFAULT_MODE = parseMode('0600');

/** Copy a host file to the controller (atomic local write), changed only when the controller file differs. */
export const fetch = defineModule<FetchArgs, FetchData>({
  name: 'fetch',

  schema: fetchArgs,
  validate: fetchArgs.validate,

  async plan(ctx, args) {
    const dest = localPath(ctx.projectDir, args.dest, ctx.host);
    const remote = await readRemoteFile(ctx, args.src, { secretOutput: args.secret === true });
    if (remote.type === 'absent') {
      if (args.failOnMissing === false) return { changes: [], data: { dest } };
      throw new TaskFailedError(`${args.src} does not exist on the host`);
    }
    let content = remote.content;
    if (args.transform) {
      const text = decodeUtf8(content, args.src, 'transform works on text only');
      const out = args.transform(text);
      if (typeof out !== 'string') throw new TaskFailedError(`transform must return a string, it returned ${typeof out}`);
      content = Buffer.from(out, 'utf8');
    }
    if (args.secret) {
      const text = content.toString('utf8');
      registerSecret(text);
      registerSecret(text.trim());
    }
    const sha256 = createHash('sha256').update(content).digest('hex');
    const data: FetchData = { dest, sha256, size: content.length };
    const local = await localFile(dest);
    const mode = resolveMode(args.mode === undefined ? DEFAULT_MODE : parseMode(args.mode), local?.mode ?? 0o600, false, process.umask());

    const sameContent = local !== undefined && local.content.equals(content);
    if (sameContent && local.mode === mode) return { changes: [], data };
    if (sameContent) {
      return { changes: [{ summary: `${dest}: mode ${formatMode(local.mode)} -> ${formatMode(mode)}`, apply: () => chmod(dest, mode) }], data };
    }
    const summary = local ? `update ${dest} from ${ctx.host}:${args.src}` : `fetch ${ctx.host}:${args.src} to ${dest} (${content.length} bytes, mode ${formatMode(mode)})`;
    const change: Change<FetchData> = { summary, apply: () => writeAtomically(dest, content, mode) };
    if (ctx.wantDiff) {
      change.diff = args.secret
        ? `${dest}: content differs (hidden: it holds secrets)\n`
        : contentDiff(
            dest,
            local ? { text: local.content.toString('utf8'), size: local.content.length } : { text: null, size: 0 },
            { text: content.toString('utf8'), size: content.length },
            { secretBearing: false },
          );
    }
    return { changes: [change], data };
  },
});

/** dest on the controller: {host} replaced, a relative path taken from the project directory. */
export function localPath(projectDir: string, dest: string, host: string): string {
  const path = dest.split('{host}').join(host);
  return isAbsolute(path) ? path : join(projectDir, path);
}

async function localFile(path: string): Promise<{ content: Buffer; mode: number } | undefined> {
  try {
    const info = await stat(path);
    if (info.isDirectory()) throw new TaskFailedError(`${path} is a directory on the controller; dest must be a file path`);
    return { content: await readFile(path), mode: info.mode & 0o7777 };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** A temp file beside dest, created with the final mode (no other reader ever sees it), renamed over dest. */
async function writeAtomically(dest: string, content: Buffer, mode: number): Promise<void> {
  await mkdir(dirname(dest), { recursive: true });
  const temp = join(dirname(dest), `.ploy-fetch-${randomBytes(6).toString('hex')}`);
  const handle = await open(temp, 'wx', 0o600);
  try {
    await handle.writeFile(content);
    await handle.chmod(mode);
    await handle.sync();
  } catch (error) {
    await handle.close();
    await rm(temp, { force: true });
    throw error;
  }
  await handle.close();
  try {
    await rename(temp, dest);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}
