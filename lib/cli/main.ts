import { resolve } from 'node:path';
import { ConnectionPool } from '../connection/pool.ts';
import { connectionSpecFor, type ConnectionDefaults } from '../connection/spec.ts';
import { InputError } from '../errors.ts';
import { loadInventory } from '../inventory/load.ts';
import type { Inventory } from '../inventory/types.ts';
import type { Play } from '../role.ts';
import { createReporter } from '../report/create.ts';
import { JsonReporter } from '../report/json.ts';
import type { Environment, OutputStream } from '../report/terminal.ts';
import type { Reporter } from '../runner/events.ts';
import type { RunOptions } from '../runner/options.ts';
import { runPlay } from '../runner/run-play.ts';
import { StartAtTask } from '../runner/start-at-task.ts';
import { RunStats } from '../runner/stats.ts';
import type { Vars } from '../vars.ts';
import { parseExtraVars } from '../vars/extra-vars.ts';
import { askPassword, PromptInterrupted, type PasswordInput } from './ask-password.ts';
import { connectionDefaults, hasDefaults } from './connection-flags.ts';
import { CHANGES_PENDING_EXIT_CODE, checkDetailedExitCodeFlag, detailedExitCode } from './detailed-exit-code.ts';
import { formatFatalError } from './format-error.ts';
import { parsePlaybookFlags, playbookFlags, type PlaybookFlags } from './flags.ts';
import { formatHelp } from './help.ts';
import { onInterrupt, signalExitCode } from './interrupts.ts';
import { formatHostList, listRoleHosts } from './list-hosts.ts';
import { runPreflightOnly, type PreflightOnlyMode } from './preflight-only.ts';
import { findProjectDir } from './project-dir.ts';
import { programName } from './program-name.ts';

export interface PlaybookCliOptions {
  /** Default: process.argv.slice(2). */
  argv?: readonly string[];
  /** Where templates/ and files/ are; default: the directory with package.json above the playbook file. */
  projectDir?: string;
  /** Relative paths (-i, -e @file) are read from here; default: process.cwd(). */
  cwd?: string;
  /** The command shown in --help; default: `tsx <playbook file>`. */
  program?: string;
  stdout?: OutputStream;
  stderr?: OutputStream;
  env?: Environment;
  /** Take over SIGINT/SIGTERM during the run (default true; off for tests that run in-process). */
  handleSignals?: boolean;
  /** Where -K reads the sudo password; default: process.stdin. */
  stdin?: PasswordInput;
}

/** Exit codes: 0 ok, 1 bad input or a crash, 2 a host failed, 4 a host unreachable, 10 changes pending (--check --detailed-exitcode), 130/143 interrupted. */
export type ExitCode = 0 | 1 | 2 | 4 | typeof CHANGES_PENDING_EXIT_CODE | 130 | 143;

/** A playbook's entry point: `await runPlaybook(play)` parses the command line, runs, and exits. */
export async function runPlaybook(play: Play, options: PlaybookCliOptions = {}): Promise<never> {
  const code = await playbookMain(play, options);
  await Promise.all([flush(process.stdout), flush(process.stderr)]);
  process.exit(code);
}

/** Everything runPlaybook does except exiting: returns the exit code. */
export async function playbookMain(play: Play, options: PlaybookCliOptions = {}): Promise<ExitCode> {
  const out = options.stdout ?? process.stdout;
  const err = options.stderr ?? process.stderr;
  const argv = options.argv ?? process.argv.slice(2);
  let verbosity = 0;
  let reporter: Reporter | undefined;
  try {
    const flags = parsePlaybookFlags(argv);
    verbosity = flags.verbose;
    const cwd = options.cwd ?? process.cwd();
    if (flags.help) {
      out.write(formatHelp(options.program ?? programName(cwd), playbookFlags, describePlay(play)));
      return 0;
    }
    checkDetailedExitCodeFlag(flags);
    const listing = listingMode(flags);
    const inventory = await loadInventory(resolve(cwd, flags.inventory));
    const extraVars = await parseExtraVars(flags.extraVars, { cwd });
    if (listing === 'list-hosts') {
      const roles = listRoleHosts(play, inventory, { ...(flags.limit ? { limit: flags.limit } : {}), roles: flags.role });
      out.write(flags.json ? `${JSON.stringify({ play: play.name, roles }, null, 2)}\n` : formatHostList(play.name, roles));
      return 0;
    }
    const ask = listing ? undefined : () => askPassword('BECOME password: ', options.stdin ?? process.stdin, err);
    const defaults = await connectionDefaults(flags, cwd, ask);
    const startAt = flags.startAtTask !== undefined ? new StartAtTask(flags.startAtTask) : undefined;
    const base = runOptions(flags, { inventory, extraVars, projectDir: options.projectDir ?? findProjectDir(process.argv[1], cwd), defaults, startAt });
    if (listing) return await runPreflightOnly(play, listing, { ...base, ...(startAt ? { observer: startAt } : {}) }, { out, json: flags.json });

    const activeReporter = createReporter({ json: flags.json, verbosity, diff: flags.diff, out, err, ...(options.env ? { env: options.env } : {}) });
    reporter = activeReporter;
    const pool = new ConnectionPool({
      acceptNewHostKeys: flags.acceptNewHostKeys,
      connectTimeoutMs: flags.connectTimeout,
      ...(flags.commandTimeout !== undefined ? { commandTimeoutMs: flags.commandTimeout } : {}),
    });
    const abort = new AbortController();
    const stats = new RunStats();
    const hardStop = { play: play.name, stats, started: performance.now() };
    const release = options.handleSignals === false ? () => {} : watchSignals(abort, activeReporter, pool, err, hardStop);
    try {
      const summary = await runPlay(play, { ...base, connections: pool, signal: abort.signal, stats, ...(startAt ? { preflightObserver: startAt } : {}) }, activeReporter);
      // A start the preflight could not see (behind a result) and no host came to: nothing ran.
      const startNotReached = startAt !== undefined && !startAt.found && summary.exitCode === 0;
      const code = startNotReached ? 1 : detailedExitCode(summary, flags.detailedExitcode);
      if (activeReporter instanceof JsonReporter) activeReporter.setExitCode(code);
      await activeReporter.close();
      if (startNotReached) err.write(formatFatalError(new InputError(`--start-at-task ${JSON.stringify(startAt.pattern)}: no host came to a task with this name, so no task ran`), verbosity));
      return code;
    } finally {
      release();
      await pool.closeAll();
    }
  } catch (error) {
    await reporter?.close();
    if (error instanceof PromptInterrupted) {
      err.write('^C\n');
      return 130;
    }
    err.write(formatFatalError(error, verbosity));
    return 1;
  }
}

/** Which listing flag was given, if any; they exclude each other. */
function listingMode(flags: PlaybookFlags): 'list-hosts' | PreflightOnlyMode | undefined {
  const given = (['list-hosts', 'list-tasks', 'list-tags', 'syntax-check'] as const).filter(
    (mode) => ({ 'list-hosts': flags.listHosts, 'list-tasks': flags.listTasks, 'list-tags': flags.listTags, 'syntax-check': flags.syntaxCheck })[mode],
  );
  if (given.length > 1) throw new InputError(`${given.map((mode) => `--${mode}`).join(' and ')} exclude each other: give one`);
  return given[0];
}

function runOptions(
  flags: PlaybookFlags,
  parts: {
    inventory: Awaited<ReturnType<typeof loadInventory>>;
    extraVars: Awaited<ReturnType<typeof parseExtraVars>>;
    projectDir: string;
    defaults: ConnectionDefaults;
    startAt: StartAtTask | undefined;
  },
): Omit<RunOptions, 'connections'> {
  const { defaults } = parts;
  return {
    inventory: parts.inventory,
    ...(flags.limit !== undefined ? { limit: flags.limit } : {}),
    check: flags.check,
    diff: flags.diff,
    ...(flags.tags.length ? { tags: flags.tags } : {}),
    ...(flags.skipTags.length ? { skipTags: flags.skipTags } : {}),
    ...(flags.role.length ? { roles: flags.role } : {}),
    forks: flags.forks,
    extraVars: parts.extraVars,
    projectDir: parts.projectDir,
    ...(hasDefaults(defaults) ? { specFor: (inventory: Inventory, host: string, vars: Vars) => connectionSpecFor(inventory, host, vars, undefined, defaults) } : {}),
    ...(parts.startAt ? { startAt: parts.startAt } : {}),
  };
}

/**
 * First SIGINT/SIGTERM: stop starting tasks and let the running ones finish (the runner reports
 * the run as interrupted). A second one: print the recap so far, close the connections (briefly)
 * and exit at once. A file write cut off this way leaves the old file (see atomic-write.ts).
 */
function watchSignals(abort: AbortController, reporter: Reporter, pool: ConnectionPool, err: OutputStream, run: { play: string; stats: RunStats; started: number }): () => void {
  return onInterrupt({
    first(signal) {
      reporter.emit({ type: 'warning', message: `${signal}: letting running tasks finish, starting no new ones (again to stop at once)` });
      abort.abort(signal);
    },
    async second(signal) {
      reporter.emit({ type: 'play-end', play: run.play, stats: run.stats.snapshot(), elapsedMs: performance.now() - run.started, interrupted: true });
      if (reporter instanceof JsonReporter) reporter.setExitCode(signalExitCode(signal));
      await reporter.close();
      err.write(`${signal} again: stopping now\n`);
      await Promise.race([pool.closeAll().catch(() => {}), new Promise((done) => setTimeout(done, 2000).unref())]);
      process.exit(signalExitCode(signal));
    },
  });
}

function describePlay(play: Play): string {
  const roles = play.roles.map((role) => `  ${role.name} (hosts: ${role.hosts})`);
  return [`Runs the play "${play.name}", its roles in order:`, ...roles].join('\n');
}

function flush(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((done) => stream.write('', () => done()));
}
