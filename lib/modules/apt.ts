import { CommandError, ModuleArgsError, TaskFailedError } from '../errors.ts';
import { defineModule, type Change, type ModuleContext } from '../module.ts';
import { quote } from '../shell.ts';
import { aptProbeScript, candidateScope, parseAptFacts, UPDATE_STAMP, type AptFacts } from './support/apt-facts.ts';
import { decidePackages, describeDecision, formatAge, hasWork, parseAptOutput, type AptState, type PackageDecision } from './support/apt-decide.ts';
import { optionalBoolean, optionalPositiveInteger } from './support/args.ts';
import { parseProbeOutput } from './support/probe.ts';
import { runChecked } from './support/run.ts';
import { argsSchema, choice, choiceType, optional, type SchemaArgs } from './support/schema.ts';

const APT_STATES = ['present', 'absent', 'latest'] as const satisfies readonly AptState[];

export const aptArgs = argsSchema(
  {
    name: optional('string | string[]', packageNameList, 'Package names (no versions, no architectures); may be left out when only updating the cache.'),
    state: optional(choiceType(APT_STATES), choice(APT_STATES), 'present: installed, at any version; latest: at the candidate version; absent: removed.', "'present'"),
    updateCache: optional('boolean', optionalBoolean, 'apt-get update first (when the lists are older than cacheValidTime, if given).'),
    cacheValidTime: optional('number (s)', optionalPositiveInteger, 'Seconds the package lists stay fresh; implies updateCache.'),
    installRecommends: optional('boolean', optionalBoolean, "Install recommended packages too (default: apt's own setting)."),
    purge: optional('boolean', optionalBoolean, 'With state absent: also remove configuration files (and purge packages already removed).'),
    lockTimeout: optional('number (s)', optionalPositiveInteger, 'Seconds to wait for the dpkg/apt lock held by another process.', '120'),
  },
  {
    summary: 'Debian packages installed, upgraded or removed, and the package lists refreshed.',
    checkMode:
      "One probe (dpkg status and version of every package, apt's candidate, the age of the lists); reports exactly what would change (`install sl 5.02-1+b1`, `upgrade jq 1.6-2.1 -> 1.6-2.2`, `remove tree 2.1.0-1`, `update the package cache (3 h old, valid for 60 min)`); an unknown or virtual package fails. Nothing is updated nor installed: when a cache update is due, the package line says it is decided again after the update.",
    notes: [
      'Noninteractive (`DEBIAN_FRONTEND=noninteractive`, `--force-confdef`/`--force-confold`, `-y -q`); `-o DPkg::Lock::Timeout=N` waits for a lock another process holds and names that process when it is not released in time.',
      'The lists count as stale when older than `cacheValidTime`, when never updated, or when a file under `/etc/apt/sources.list*` changed after the last update (a repository just added). A successful update touches `/var/lib/apt/periodic/update-success-stamp` (as Ansible reads it); an update that changes no list file reports ok, so `updateCache: true` stays idempotent.',
    ],
    across(args) {
      if (args.cacheValidTime !== undefined && args.updateCache === false) {
        throw new ModuleArgsError('cacheValidTime is how long the cache stays fresh before an update; it has no meaning with updateCache: false', { field: 'cacheValidTime' });
      }
      if (args.purge !== undefined && (args.state ?? 'present') !== 'absent') throw new ModuleArgsError(`only state 'absent' takes purge`, { field: 'purge' });
      if ([args.name ?? []].flat().length === 0 && !args.updateCache && args.cacheValidTime === undefined) throw new ModuleArgsError('give package names, or updateCache: true', { field: 'name' });
    },
  },
);

export type AptArgs = SchemaArgs<typeof aptArgs>;

function packageNameList(value: unknown, field: string): string | string[] {
  const names = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(names) || names.some((n) => typeof n !== 'string')) throw new ModuleArgsError('must be a package name or a list of them', { field });
  for (const n of names as string[]) {
    if (!PACKAGE.test(n)) {
      const hint = /[=:]/.test(n) ? ' (versions and architectures are not supported: give the plain name)' : '';
      throw new ModuleArgsError(`not a Debian package name: ${JSON.stringify(n)}${hint}`, { field });
    }
  }
  const twice = (names as string[]).find((n, i) => names.indexOf(n) !== i);
  if (twice !== undefined) throw new ModuleArgsError(`names ${twice} twice`, { field });
  return value as string | string[];
}

export interface AptData {
  /** Whether apt-get update ran and changed the package lists. */
  cacheUpdated: boolean;
  /** Packages apt set up (dependencies included): name -> version. */
  installed: Record<string, string>;
  /** Packages apt removed or purged (dependencies included). */
  removed: string[];
}

const PACKAGE = /^[a-z0-9][a-z0-9+.-]+$/;
const DEFAULT_LOCK_TIMEOUT = 120;

export function packageNames(name: AptArgs['name']): string[] {
  return name === undefined ? [] : typeof name === 'string' ? [name] : [...name];
}

export const apt = defineModule<AptArgs, AptData>({
  name: 'apt',
  batchProbes: true,

  schema: aptArgs,
  validate: aptArgs.validate,

  async plan(ctx, args) {
    const names = packageNames(args.name);
    const state = args.state ?? 'present';
    const purge = args.purge ?? false;
    const wantsUpdate = args.updateCache === true || args.cacheValidTime !== undefined;
    const probe = (batchable: boolean) => probeApt(ctx, names, state, wantsUpdate, batchable);
    const facts = await probe(true);
    const changes: Change<AptData>[] = [];

    const stale = facts.cacheAge === undefined || args.cacheValidTime === undefined || facts.cacheAge > args.cacheValidTime || facts.sourcesChanged;
    const updating = wantsUpdate && stale;
    if (updating) changes.push(cacheUpdate(ctx, args, facts));

    const decision = decidePackages(facts, names, state, purge);
    if (!updating) failOnUnknown(decision);
    // After a cache update the candidates may differ: the package step decides again then.
    const recheck = updating && state !== 'absent' && (state === 'latest' || decision.unknown.length > 0 || decision.install.length > 0);
    if (hasWork(decision) || recheck) {
      const summary = [describeDecision(decision, purge), ...(decision.unknown.length ? [`install ${decision.unknown.map((u) => u.name).join(', ')} (not in the current package lists)`] : [])]
        .filter((s) => s !== '')
        .join('; ');
      changes.push({
        summary: recheck ? `${summary || `${state === 'latest' ? 'upgrade' : 'install'} ${names.join(', ')} if needed`} (decided again after the cache update)` : summary,
        async apply() {
          const final = recheck ? decidePackages(await probe(false), names, state, purge) : decision;
          failOnUnknown(final);
          if (!hasWork(final)) return { changed: false };
          const result = await runAptGet(ctx, aptGetCommand(args, final), describeDecision(final, purge), args);
          return { data: parseAptOutput(result.stdout) };
        },
      });
    }
    return { changes, data: { cacheUpdated: false, installed: {}, removed: [] } };
  },
});

async function probeApt(ctx: ModuleContext, names: readonly string[], state: AptState, cacheAge: boolean, batchable: boolean): Promise<AptFacts> {
  const result = await runChecked(ctx, aptProbeScript(names, candidateScope(state), { cacheAge }), 'probe of the apt packages', { probe: batchable });
  return parseAptFacts(parseProbeOutput(result.stdout), names);
}

function failOnUnknown(decision: PackageDecision): void {
  if (decision.unknown.length === 0) return;
  const why = decision.unknown.map((u) => (u.virtual ? `${u.name} has no installation candidate (a virtual package? name the real one)` : `no package named ${u.name} in the package lists`));
  throw new TaskFailedError(`${why.join('; ')} (a typo, or the lists need updateCache: true)`);
}

/** apt-get, with a lock held past lockTimeout said plainly (apt prints who holds it on stdout, the error on stderr). */
async function runAptGet(ctx: ModuleContext, command: string, what: string, args: AptArgs): Promise<{ stdout: string }> {
  try {
    return await runChecked(ctx, command, what);
  } catch (error) {
    const holder = error instanceof CommandError ? /Could not get lock [^\n]*/.exec(error.result.stdout)?.[0] : undefined;
    if (error instanceof CommandError && holder) {
      throw new CommandError(command, error.result, `${what} failed: the apt/dpkg lock was still held after lockTimeout ${args.lockTimeout ?? DEFAULT_LOCK_TIMEOUT} s (${holder.replace(/\.+$/, '')})`);
    }
    throw error;
  }
}

const LOCK = (args: AptArgs) => `-o DPkg::Lock::Timeout=${args.lockTimeout ?? DEFAULT_LOCK_TIMEOUT}`;

function cacheUpdate(ctx: ModuleContext, args: AptArgs, facts: AptFacts): Change<AptData> {
  const age = facts.cacheAge;
  const why =
    age === undefined
      ? 'never updated'
      : facts.sourcesChanged
        ? 'a sources file changed since the last update'
        : args.cacheValidTime === undefined
          ? `last updated ${formatAge(age)} ago`
          : `${formatAge(age)} old, valid for ${formatAge(args.cacheValidTime)}`;
  // apt keeps a list file's name, size and mtime (the server's Last-Modified) when nothing changed upstream.
  const lists = `find /var/lib/apt/lists -maxdepth 1 -type f ! -name lock -printf '%f %s %T@\\n' | sort | sha256sum`;
  const command = [
    `ploy_before=$(${lists})`,
    `LC_ALL=C apt-get update -q ${LOCK(args)} -o APT::Update::Error-Mode=any >&2`,
    `mkdir -p ${quote(UPDATE_STAMP.replace(/\/[^/]+$/, ''))} && touch ${quote(UPDATE_STAMP)}`,
    `[ "$ploy_before" = "$(${lists})" ] || echo lists=changed`,
  ].join(' && ');
  return {
    summary: `update the package cache (${why})`,
    async apply() {
      const result = await runChecked(ctx, command, 'apt-get update');
      const changed = result.stdout.includes('lists=changed');
      return { changed, data: { cacheUpdated: changed } };
    },
  };
}

function aptGetCommand(args: AptArgs, decision: PackageDecision): string {
  const base = ['DEBIAN_FRONTEND=noninteractive', 'LC_ALL=C', 'apt-get', '-y', '-q', LOCK(args)];
  if (decision.remove.length) return [...base, args.purge ? 'purge' : 'remove', ...decision.remove.map((p) => quote(p.name))].join(' ');
  const recommends = args.installRecommends === undefined ? [] : [args.installRecommends ? '--install-recommends' : '--no-install-recommends'];
  const names = [...decision.install, ...decision.upgrade].map((p) => quote(p.name));
  return [...base, '-o', 'Dpkg::Options::=--force-confdef', '-o', 'Dpkg::Options::=--force-confold', ...recommends, 'install', ...names].join(' ');
}
