import { describeExit } from '../connection/connection.ts';
import { CommandError, ModuleArgsError, TaskFailedError } from '../errors.ts';
import { defineModule, type Change, type ModuleContext } from '../module.ts';
import { isSecret, reveal, type Secret } from '../secret.ts';
import { quote } from '../shell.ts';
import { requireAbsolutePath } from './support/args.ts';
import { attributeCommands, attributeDrift } from './support/attributes.ts';
import { parentOf } from './support/atomic-write.ts';
import { contentProbeScript } from './support/content-plan.ts';
import { CHECKSUM_MISMATCH, DOWNLOAD_FAILED, downloadStdin, fetcherScript, retryingFetch } from './support/download-script.ts';
import { checksumFor, downloadVars, mirrored, requireHttpUrl, requireSha256 } from './support/download-url.ts';
import { defaultMode, formatMode, parseMode, resolveMode } from './support/mode.ts';
import { parseProbeOutput, readHeader, readPathState } from './support/probe.ts';
import { runChecked } from './support/run.ts';
import { fileTargetArgs } from './support/file-target.ts';
import { argsSchema, optional, required, type SchemaArgs } from './support/schema.ts';

export const getUrlArgs = argsSchema(
  {
    url: required('string', requireHttpUrl, "http(s) URL; its origin is replaced by the host's ploy_download_mirror variable when set."),
    dest: required('string', requireAbsolutePath, 'Absolute path of the file to write.'),
    sha256: optional('string', requireSha256, 'The expected sha256 (64 hex digits). Exactly one of sha256 and checksumUrl.'),
    checksumUrl: optional('string', requireHttpUrl, "A sha256sum-style file listing the URL's file name (or holding a single hash)."),
    owner: fileTargetArgs.owner,
    group: fileTargetArgs.group,
    mode: fileTargetArgs.mode,
    timeoutS: optional('number (s)', wholeNumber(1, 3600), 'Seconds to connect, and seconds without data before an attempt is given up.', '30'),
    retries: optional('number', wholeNumber(0, 10), 'Attempts after the first failed one, waiting 1, 2, 4... s between.', '2'),
    headers: optional('Record<string, string | Secret>', requestHeaders, 'Request headers; Secret values (tokens) never reach a command line.'),
  },
  {
    summary: 'Download a file on the host, always verified by its sha256. Host vars ploy_download_mirror and ploy_http_proxy apply.',
    checkMode: 'Compares the sha256 of dest on the host with the expected one (a checksumUrl is fetched, a read); reports the download or the owner/mode fix; downloads nothing.',
    notes: [
      'Downloads on the host with curl, else wget, else python3 (detected each run) into a 0600 temp file beside `dest`, verifies the sha256 there, sets owner and mode, renames. A mismatch deletes the temp file and names the expected and actual sums. Retries wait 1, 2, 4... s (at most 30).',
      "`ploy_download_mirror` replaces the URL's scheme, host and port (path and query kept); `ploy_http_proxy` becomes http_proxy/https_proxy for the download only. Proxy and headers reach the host on stdin, never on a command line.",
      'A call that changes nothing costs one remote command.',
    ],
    across(args) {
      if ((args.sha256 === undefined) === (args.checksumUrl === undefined)) {
        throw new ModuleArgsError('give exactly one of sha256 and checksumUrl: a download is always verified', { field: 'sha256' });
      }
    },
  },
);

export type GetUrlArgs = SchemaArgs<typeof getUrlArgs>;

export interface GetUrlData {
  dest: string;
  /** The URL really used (after the mirror). */
  url: string;
  sha256: string;
  /** curl, wget or python3: what the host downloads with. */
  fetcher: string;
}

const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;

export const getUrl = defineModule<GetUrlArgs, GetUrlData>({
  name: 'getUrl',
  batchProbes: true,

  schema: getUrlArgs,
  validate: getUrlArgs.validate,

  prepare(args, env) {
    downloadVars(env.vars, env.host); // a bad mirror or proxy variable fails before any host is touched
    return args;
  },

  async plan(ctx, args) {
    const { mirror, proxy } = downloadVars(ctx.vars, ctx.host);
    const url = mirrored(args.url, mirror);
    const checksumUrl = args.checksumUrl === undefined ? undefined : mirrored(args.checksumUrl, mirror);
    const fetch = { timeoutS: args.timeoutS ?? 30 };
    const retries = args.retries ?? 2;
    const stdin = downloadStdin(proxy, args.headers);

    const probe = [
      contentProbeScript(args.dest),
      'umask 077',
      'hdr= wrc= ck=',
      `trap 'rm -f -- "$hdr" "$wrc" "$ck"' EXIT`,
      fetcherScript(fetch),
      ...(checksumUrl === undefined
        ? []
        : ['[ "$fetcher" != none ] || exit 0', 'ck=$(mktemp) || exit 3', retryingFetch(checksumUrl, '"$ck"', retries), `printf 'checksum='; head -c 65536 "$ck" | base64 -w0; echo`]),
    ].join('\n');
    // Without a checksum file to fetch, nor a proxy or headers to hand it, the probe only reads the
    // host: it can travel in a batch with the probes of the tasks around it.
    const readOnly = checksumUrl === undefined && proxy === undefined && Object.keys(args.headers ?? {}).length === 0;
    const result = await ctx.exec(probe, readOnly ? { probe: true } : { stdin });
    if (result.code === DOWNLOAD_FAILED) throw new TaskFailedError(`cannot download the checksum file ${checksumUrl}: ${lastLines(result.stderr)}`);
    if (result.code !== 0) throw new CommandError(probe, result, `probe of ${args.dest} failed (${describeExit(result)}): ${lastLines(result.stderr)}`);
    const facts = parseProbeOutput(result.stdout);
    const fetcher = facts.get('fetcher')?.[0] ?? 'none';
    if (fetcher === 'none') throw new TaskFailedError(`cannot download ${url}: the host has no curl, wget or python3`);
    const expected = args.sha256?.toLowerCase() ?? checksumFor(Buffer.from(facts.get('checksum')?.[0] ?? '', 'base64').toString('utf8'), url, checksumUrl ?? '');
    const data: GetUrlData = { dest: args.dest, url, sha256: expected, fetcher };

    const header = readHeader(facts);
    const state = readPathState(facts, 'dest');
    const wanted = { owner: args.owner, group: args.group, mode: args.mode === undefined ? undefined : parseMode(args.mode) };
    if (state.type === 'directory') throw new TaskFailedError(`${args.dest} is a directory; dest must be the full path of the file to download`);
    if (state.type === 'other') throw new TaskFailedError(`${args.dest} exists and is not a regular file; refusing to replace it`);
    if (state.type === 'file' && state.sha256 === expected) {
      const drift = attributeDrift(state, wanted, header);
      if (drift.summaries.length === 0) return { changes: [], data };
      const command = attributeCommands(args.dest, drift).join(' && ');
      return {
        changes: [{ summary: `${args.dest}: ${drift.summaries.join(', ')}`, apply: async () => void (await runChecked(ctx, command, `setting owner/mode of ${args.dest}`)) }],
        data,
      };
    }
    if (state.type === 'absent' && facts.get('parent')?.[0] !== 'directory') {
      throw new TaskFailedError(`cannot download to ${args.dest}: its directory ${parentOf(args.dest)} does not exist (create it first with the file module)`);
    }
    const existing = state.type === 'file' ? state : undefined;
    const base = existing?.mode ?? defaultMode(false, header.umask);
    const mode = wanted.mode ? resolveMode(wanted.mode, base, false, header.umask) : base;
    const owner = args.owner ?? (existing && existing.uid !== header.uid ? String(existing.uid) : undefined);
    const group = args.group ?? (existing && existing.gid !== header.gid ? String(existing.gid) : undefined);
    const what = existing ? `replace ${args.dest} (sha256 ${short(existing.sha256)} -> ${short(expected)})` : `download ${args.dest} (sha256 ${short(expected)}, mode ${formatMode(mode)})`;
    const change: Change<GetUrlData> = {
      summary: `${what} from ${url}`,
      apply: () => download(ctx, { url, dest: args.dest, expected, mode, owner, group, retries, fetch, stdin }),
    };
    return { changes: [change], data };
  },
});

interface Download {
  url: string;
  dest: string;
  expected: string;
  mode: number;
  owner: string | undefined;
  group: string | undefined;
  retries: number;
  fetch: { timeoutS: number };
  stdin: string;
}

/** Download into a private temp file beside dest, verify its sha256 on the host, set owner and mode, rename. */
async function download(ctx: ModuleContext, d: Download): Promise<void> {
  const dir = parentOf(d.dest);
  const script = [
    'umask 077',
    'tmp= hdr= wrc=',
    `trap 'rm -f -- "$tmp" "$hdr" "$wrc"' EXIT`,
    `trap 'exit 129' HUP INT TERM`,
    fetcherScript(d.fetch),
    `tmp=$(mktemp -- ${quote(`${dir === '/' ? '' : dir}/.ploy-XXXXXXXX`)}) || exit 3`,
    retryingFetch(d.url, '"$tmp"', d.retries),
    'got=$(sha256sum < "$tmp") || exit 3',
    'got=${got%% *}',
    `if [ "$got" != ${d.expected} ]; then echo "actual=$got"; exit ${CHECKSUM_MISMATCH}; fi`,
    ...attributeCommands('"$tmp"', { owner: d.owner, group: d.group, mode: d.mode }, { quoted: true }).map((line) => `${line} || exit 3`),
    `mv -fT -- "$tmp" ${quote(d.dest)} || exit 3`,
    'tmp=',
  ].join('\n');
  const result = await ctx.exec(script, { stdin: d.stdin });
  const facts = parseProbeOutput(result.stdout);
  if (result.code === CHECKSUM_MISMATCH) {
    throw new TaskFailedError(`checksum mismatch for ${d.url}: expected sha256 ${d.expected}, got ${facts.get('actual')?.[0] ?? '?'}; the download was deleted and ${d.dest} left unchanged`);
  }
  if (result.code === DOWNLOAD_FAILED) {
    throw new TaskFailedError(`download of ${d.url} failed after ${facts.get('attempts')?.[0] ?? '?'} attempt(s): ${lastLines(result.stderr)}`);
  }
  if (result.code !== 0) throw new CommandError(script, result, `writing ${d.dest} failed (${describeExit(result)}): ${lastLines(result.stderr)}`);
}

function short(sha: string | undefined): string {
  return sha ? `${sha.slice(0, 12)}…` : '?';
}

function lastLines(text: string): string {
  return text.trim().split('\n').slice(-3).join('\n') || '(no error output)';
}

function wholeNumber(min: number, max: number): (value: unknown, field: string) => number {
  return (value, field) => {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      throw new ModuleArgsError(`must be a whole number from ${min} to ${max}, got ${JSON.stringify(value)}`, { field });
    }
    return value;
  };
}

function requestHeaders(headers: unknown): Record<string, string | Secret> {
  if (typeof headers !== 'object' || headers === null || Array.isArray(headers)) throw new ModuleArgsError('must be an object of Name: value', { field: 'headers' });
  for (const [name, value] of Object.entries(headers)) {
    if (!HEADER_NAME.test(name)) throw new ModuleArgsError(`invalid header name ${JSON.stringify(name)}`, { field: 'headers' });
    if (typeof value !== 'string' && !isSecret(value)) throw new ModuleArgsError(`${name} must be a string or a Secret`, { field: 'headers' });
    if (/[\r\n\0]/.test(reveal(value))) throw new ModuleArgsError(`${name} must be one line`, { field: 'headers' });
  }
  return headers as Record<string, string | Secret>;
}
