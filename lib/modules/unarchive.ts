import { stat, readFile } from 'node:fs/promises';
import { describeExit } from '../connection/connection.ts';
import { CommandError, InputError, ModuleArgsError, TaskFailedError } from '../errors.ts';
import { defineModule, type ModuleContext, type PrepareEnv } from '../module.ts';
import { optionalAbsolutePath, optionalBoolean, rejectControlCharacters, requireAbsolutePath } from './support/args.ts';
import { downloadStdin } from './support/download-script.ts';
import { downloadVars, mirrored, requireHttpUrl, requireSha256 } from './support/download-url.ts';
import { parseMode } from './support/mode.ts';
import { parseProbeOutput } from './support/probe.ts';
import { problemMessage, probeGuards, validateVersionProbe, versionOutcome, type VersionProbe } from './support/unarchive-guard.ts';
import { archiveFormat, DIRECTORY_IN_THE_WAY, EXTRACT_FAILED, PRECONDITION_CODES, unarchiveScript, type ArchiveSource, type UnarchiveJob } from './support/unarchive-script.ts';
import { resolveControllerFile } from './copy.ts';
import { fileTargetArgs, modeString } from './support/file-target.ts';
import { argsSchema, checkedAcross, optional, required, type SchemaArgs } from './support/schema.ts';

export type { VersionProbe } from './support/unarchive-guard.ts';

export const unarchiveArgs = argsSchema(
  {
    src: optional('string', checkedAcross<string>(), 'A controller file (relative to files/, or absolute), or with remoteSrc an absolute path on the host.'),
    remoteSrc: optional('boolean', checkedAcross<boolean>(), 'src is a path on the host.'),
    url: optional('string', checkedAcross<string>(), 'Download the archive on the host instead (needs sha256); the mirror/proxy variables apply.'),
    sha256: optional('string', checkedAcross<string>(), "The url's sha256 (64 hex digits)."),
    dest: required('string', requireAbsolutePath, 'The directory to extract into; it must exist.'),
    creates: optional('string', optionalAbsolutePath, 'Already there (ok, nothing sent) when this path exists on the host.'),
    versionProbe: optional('{ cmd: string; expect: string | RegExp }', versionProbe, "Already there when this command's output matches (e.g. `helm version --short` contains v3.14.4)."),
    owner: fileTargetArgs.owner,
    group: fileTargetArgs.group,
    mode: optional('string', modeString, "Applied to every extracted file and directory ('0755', or symbolic like 'u=rwX,go=rX')."),
    extraOpts: optional('string[]', stringList, "Extra options for tar or unzip (e.g. ['--strip-components=1'])."),
    include: optional('string[]', stringList, 'Only these members of the archive.'),
    timeoutS: optional('number (s)', wholeNumber(1, 3600), 'With url: seconds to connect, and without data before an attempt is given up.', '30'),
    retries: optional('number', wholeNumber(0, 10), 'With url: attempts after the first failed one.', '2'),
  },
  {
    summary: 'Extract a .tar(.gz/.xz/.bz2/.zst) or .zip archive into an existing directory on the host.',
    checkMode:
      'With creates/versionProbe: runs the guard and reports the extraction when it says "not there". Without a guard: extracts into a private temp dir inside dest, compares, removes it, and reports the entries that differ; dest itself is not touched.',
    notes: [
      'Formats by name: .tar.gz/.tgz/.tar (and .tar.xz/.tar.bz2/.tar.zst when the host has the decompressor), .zip (needs unzip on the host: a clear error otherwise).',
      'Differing entries (type, content, mode, owner) are renamed into place one by one, so a running binary is replaced, never rewritten in place; files in `dest` that are not in the archive are left alone.',
      '`versionProbe` matches when `cmd` exits 0 and its output contains `expect` (or matches the RegExp). The `creates`/`versionProbe` guard is a probe and goes in a batch with the probes of other tasks, so a `versionProbe` command must only read.',
      'Round trips: a satisfied guard costs one command and sends no archive; without a guard the archive is sent (or downloaded) for the comparison, and again for the extraction when something differs.',
    ],
    across(args) {
      const raw: Record<string, unknown> = args;
      if ((raw.src === undefined) === (raw.url === undefined)) throw new ModuleArgsError('give exactly one of src and url', { field: 'src' });
      if (raw.src !== undefined) {
        if (typeof raw.src !== 'string' || raw.src === '') throw new ModuleArgsError('must be a path', { field: 'src' });
        rejectControlCharacters(raw.src, 'src');
        if (optionalBoolean(raw.remoteSrc, 'remoteSrc')) requireAbsolutePath(raw.src, 'src');
        if (raw.sha256 !== undefined) throw new ModuleArgsError('sha256 goes with url', { field: 'sha256' });
      } else {
        requireHttpUrl(raw.url, 'url');
        if (raw.remoteSrc !== undefined) throw new ModuleArgsError('remoteSrc goes with src', { field: 'remoteSrc' });
        if (raw.sha256 === undefined) throw new ModuleArgsError('a url needs its sha256: downloads are always verified', { field: 'sha256' });
        requireSha256(raw.sha256, 'sha256');
      }
      const name = (raw.src ?? new URL(raw.url as string).pathname) as string;
      if (archiveFormat(name) === undefined)
        throw new ModuleArgsError(`cannot tell the archive format of ${JSON.stringify(name)}: use .tar.gz, .tgz, .tar (or .tar.xz/.tar.bz2/.tar.zst) or .zip`, {
          field: raw.src !== undefined ? 'src' : 'url',
        });
    },
  },
);

export type UnarchiveArgs = SchemaArgs<typeof unarchiveArgs>;

function versionProbe(value: unknown): VersionProbe {
  validateVersionProbe(value);
  return value as VersionProbe;
}

function wholeNumber(min: number, max: number): (value: unknown, field: string) => number {
  return (value, field) => {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      throw new ModuleArgsError(`must be a whole number from ${min} to ${max}, got ${JSON.stringify(value)}`, { field });
    }
    return value;
  };
}

export interface UnarchiveData {
  dest: string;
  /** Entries (relative to dest) that differed and were (or, in check mode, would be) put in place. */
  entries: string[];
  /** Why nothing was extracted: 'creates' or 'versionProbe' said it is already there. */
  upToDate: 'creates' | 'versionProbe' | 'content';
}

/** Controller archives read by plan(), per args object, so apply does not read them again. */
const archives = new WeakMap<UnarchiveArgs, Buffer>();

export const unarchive = defineModule<UnarchiveArgs, UnarchiveData>({
  name: 'unarchive',
  // With creates or versionProbe, plan()'s first exec is the guards' probe; without, it is the
  // extraction into a temp dir, which is no probe and so is never batched.
  batchProbes: true,

  schema: unarchiveArgs,
  validate: unarchiveArgs.validate,

  async prepare(args, env) {
    if (args.src !== undefined && !args.remoteSrc) await controllerArchive(env, args.src, false);
    if (args.url !== undefined) downloadVars(env.vars, env.host);
    return args;
  },

  async plan(ctx, args) {
    const format = archiveFormat(args.src ?? new URL(args.url ?? '').pathname) ?? 'tar';
    const data: Partial<UnarchiveData> = { dest: args.dest };
    let guard: string | undefined;
    if (args.creates !== undefined || args.versionProbe !== undefined) {
      const facts = parseProbeOutput((await probeGuards(ctx, args, format)).stdout);
      if (facts.get('creates')?.[0] === 'yes') return { changes: [], data: { ...data, entries: [], upToDate: 'creates' } };
      const version = versionOutcome(facts, args.versionProbe);
      if (version?.matched) return { changes: [], data: { ...data, entries: [], upToDate: 'versionProbe' } };
      const problem = facts.get('problem')?.[0];
      if (problem) throw new TaskFailedError(problemMessage(Number(problem), args));
      guard = args.creates !== undefined ? `${args.creates} is missing` : `version probe: ${version?.summary ?? '?'}`;
    }
    const job = await jobFor(ctx, args, format);
    const shown = args.url ? mirrored(args.url, downloadVars(ctx.vars, ctx.host).mirror) : args.src;
    let entries: string[] | undefined;
    if (guard === undefined) {
      // No guard: extracting into a temp dir and comparing decides, in one round trip.
      entries = await runJob(ctx, { ...job, install: false }, args);
      if (entries.length === 0) return { changes: [], data: { ...data, entries: [], upToDate: 'content' } };
    }
    const why = entries ? `${entries.length} entr${entries.length === 1 ? 'y differs' : 'ies differ'}: ${preview(entries)}` : guard;
    return {
      changes: [
        {
          summary: `extract ${shown} into ${args.dest} (${why})`,
          async apply() {
            const installed = await runJob(ctx, { ...job, install: true }, args);
            return { changed: installed.length > 0, data: { entries: installed } };
          },
        },
      ],
      data: { ...data, ...(entries ? { entries } : {}) },
    };
  },
});

async function jobFor(ctx: ModuleContext, args: UnarchiveArgs, format: 'tar' | 'zip'): Promise<Omit<UnarchiveJob, 'install'> & { stdin: string | Buffer }> {
  let source: ArchiveSource;
  let stdin: string | Buffer = '';
  if (args.url !== undefined) {
    const { mirror, proxy } = downloadVars(ctx.vars, ctx.host);
    source = { kind: 'url', url: mirrored(args.url, mirror), sha256: (args.sha256 ?? '').toLowerCase(), timeoutS: args.timeoutS ?? 30, retries: args.retries ?? 2 };
    stdin = downloadStdin(proxy);
  } else if (args.remoteSrc) {
    source = { kind: 'remote', path: args.src ?? '' };
  } else {
    source = { kind: 'stdin' };
    stdin = archives.get(args) ?? (await controllerArchive(ctx, args.src ?? '', true));
    archives.set(args, stdin);
  }
  return {
    source,
    format,
    dest: args.dest,
    include: args.include ?? [],
    extraOpts: args.extraOpts ?? [],
    owner: args.owner,
    group: args.group,
    mode: args.mode === undefined ? undefined : parseMode(args.mode),
    stdin,
  };
}

async function runJob(ctx: ModuleContext, job: UnarchiveJob & { stdin: string | Buffer }, args: UnarchiveArgs): Promise<string[]> {
  const script = unarchiveScript(job);
  const result = await ctx.exec(script, { stdin: job.stdin });
  const facts = parseProbeOutput(result.stdout);
  const what = args.url ?? args.src ?? '';
  const stderr = result.stderr.trim().split('\n').slice(-5).join('\n');
  if (result.code === 5) throw new TaskFailedError(`checksum mismatch for ${what}: expected sha256 ${args.sha256}, got ${facts.get('actual')?.[0] ?? '?'}; nothing extracted`);
  if (result.code === 4) throw new TaskFailedError(`download of ${what} failed after ${facts.get('attempts')?.[0] ?? '?'} attempt(s): ${stderr}`);
  if (result.code === EXTRACT_FAILED) throw new TaskFailedError(`extracting ${what} failed (${job.format === 'zip' ? 'unzip' : 'tar'}): ${stderr}`);
  if (result.code === DIRECTORY_IN_THE_WAY) throw new TaskFailedError(stderr);
  if (PRECONDITION_CODES.includes(result.code)) throw new TaskFailedError(problemMessage(result.code, args));
  if (result.code !== 0) throw new CommandError(script, result, `unarchive into ${args.dest} failed (${describeExit(result)}): ${stderr}`);
  return facts.get('differs') ?? [];
}

async function controllerArchive(env: PrepareEnv, src: string, read: true): Promise<Buffer>;
async function controllerArchive(env: PrepareEnv, src: string, read: false): Promise<void>;
async function controllerArchive(env: PrepareEnv, src: string, read: boolean): Promise<Buffer | void> {
  const file = resolveControllerFile(env.projectDir, src);
  try {
    if (!(await stat(file)).isFile()) throw Object.assign(new Error('not a file'), { code: 'EISDIR' });
    if (read) return await readFile(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is not a file' : (code ?? String(error));
    throw new InputError(`cannot read the archive ${file}: ${why}`, { field: 'src' }, { cause: error });
  }
}

function preview(entries: string[]): string {
  return entries.length <= 3 ? entries.join(', ') : `${entries.slice(0, 3).join(', ')}, …`;
}

function stringList(value: unknown, field: string): string[] {
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string' || v === '')) throw new ModuleArgsError('must be a list of non-empty strings', { field });
  for (const v of value as string[]) rejectControlCharacters(v, field);
  return value as string[];
}
