import { describeExit } from '../../connection/connection.ts';
import { CommandError, ModuleArgsError } from '../../errors.ts';
import type { ModuleContext } from '../../module.ts';
import { quote } from '../../shell.ts';
import { NO_DEST, NO_REMOTE_SRC, NO_UNZIP, preconditionScript, type ArchiveFormat } from './unarchive-script.ts';

/** unarchive's guards: `creates` and a version probe, checked in one round trip with the extraction's preconditions. */

export interface VersionProbe {
  /**
   * A shell command run on the host (its output and exit code are read, stderr included). It must
   * only read, like every probe: it is sent with the other tasks' probes in one round trip.
   */
  cmd: string;
  /** Matches when cmd exits 0 and its output contains this string, or matches this RegExp. */
  expect: string | RegExp;
}

export interface GuardArgs {
  readonly dest: string;
  readonly src?: string | undefined;
  readonly remoteSrc?: boolean | undefined;
  readonly creates?: string | undefined;
  readonly versionProbe?: VersionProbe | undefined;
}

const VERSION_OUTPUT_LIMIT = 65536;

/**
 * One round trip: the guards, then what the extraction needs (dest, unzip, a remote archive). It
 * only reads, so it is a probe and goes out batched with the other tasks' probes.
 */
export function probeGuards(ctx: ModuleContext, args: GuardArgs, format: ArchiveFormat) {
  const lines: string[] = [];
  if (args.creates !== undefined) lines.push(`if [ -e ${quote(args.creates)} ]; then echo creates=yes; exit 0; fi`);
  if (args.versionProbe) {
    lines.push(
      `out=$( (/bin/sh -c ${quote(args.versionProbe.cmd)}) 2>&1 </dev/null ); echo "version.rc=$?"`,
      `printf 'version.out='; printf '%s' "$out" | head -c ${VERSION_OUTPUT_LIMIT} | base64 -w0; echo`,
    );
  }
  lines.push(`( ${preconditionScript({ dest: args.dest, format, remoteSrc: args.remoteSrc ? args.src : undefined })} ) || echo "problem=$?"`);
  return ctx.exec(lines.join('\n'), { probe: true }).then((result) => {
    if (result.code !== 0) throw new CommandError('unarchive probe', result, `probe for ${args.dest} failed (${describeExit(result)}): ${result.stderr.trim()}`);
    return result;
  });
}

export function versionOutcome(facts: Map<string, string[]>, probe: VersionProbe | undefined): { matched: boolean; summary: string } | undefined {
  if (!probe) return undefined;
  const rc = Number(facts.get('version.rc')?.[0] ?? '-1');
  const output = Buffer.from(facts.get('version.out')?.[0] ?? '', 'base64')
    .toString('utf8')
    .trim();
  const matched = rc === 0 && (typeof probe.expect === 'string' ? output.includes(probe.expect) : probe.expect.test(output));
  const said = output.split('\n')[0]?.slice(0, 80) ?? '';
  return { matched, summary: rc === 0 ? `${JSON.stringify(said)} does not match ${String(probe.expect)}` : `${probe.cmd} failed (rc=${rc})` };
}

export function problemMessage(code: number, args: GuardArgs): string {
  if (code === NO_DEST) return `${args.dest} is not a directory: create it first (file module, state 'directory')`;
  if (code === NO_UNZIP) return 'extracting a .zip needs unzip on the host, which has none: install it first (apt package unzip)';
  if (code === NO_REMOTE_SRC) return `the archive ${args.src} does not exist on the host (remoteSrc)`;
  return `unarchive precondition failed (rc=${code})`;
}

export function validateVersionProbe(value: unknown): void {
  if (value === undefined) return;
  if (typeof value !== 'object' || value === null) throw new ModuleArgsError('must be { cmd, expect }', { field: 'versionProbe' });
  const { cmd, expect, ...rest } = value as Record<string, unknown>;
  if (Object.keys(rest).length) throw new ModuleArgsError(`unknown key ${Object.keys(rest)[0]} (known: cmd, expect)`, { field: 'versionProbe' });
  if (typeof cmd !== 'string' || cmd.trim() === '') throw new ModuleArgsError('cmd must be a command', { field: 'versionProbe' });
  if (!(typeof expect === 'string' && expect !== '') && !(expect instanceof RegExp)) throw new ModuleArgsError('expect must be a non-empty string or a RegExp', { field: 'versionProbe' });
}
