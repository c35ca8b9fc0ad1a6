import { describeExit } from '../connection/connection.ts';
import { CommandError, ModuleArgsError, TaskFailedError } from '../errors.ts';
import { defineModule } from '../module.ts';
import { optionalAbsolutePath, optionalString } from './support/args.ts';
import { parseProbeOutput } from './support/probe.ts';
import { WAIT_BAD_REGEX, WAIT_NO_TOOL, WAIT_TIMED_OUT, waitScript, type WaitCondition } from './support/wait-for-script.ts';
import { argsSchema, choice, choiceType, optional, type SchemaArgs } from './support/schema.ts';

export type WaitState = 'started' | 'stopped' | 'present' | 'absent' | 'drained';

const STATES = ['started', 'stopped', 'present', 'absent', 'drained'] as const satisfies readonly WaitState[];

export const waitForArgs = argsSchema(
  {
    port: optional('number', tcpPort, 'A TCP port: started = accepts connections, stopped = refuses them, drained = no active connections on it.'),
    host: optional('string', hostName, 'Where the port is, as seen FROM the host (127.0.0.1: the host itself).', "'127.0.0.1'"),
    path: optional('string', optionalAbsolutePath, 'A file: present (optionally containing searchRegex) or absent.'),
    state: optional(choiceType(STATES), choice(STATES), "'started' is the same as 'present'; 'stopped' is the same as 'absent'.", "'started'"),
    searchRegex: optional('string', nonEmptyString, 'With path: an extended regular expression (grep -E), matched line by line.'),
    timeoutS: optional('number (s)', seconds(0, 86_400), 'Give up after this many seconds, the delay included. Without port or path: just sleep this long.', '300'),
    delayS: optional('number (s)', seconds(0, 86_400), 'Wait this long before the first check.', '0'),
    sleepS: optional('number (s)', seconds(0.1, 3600), 'Between checks.', '1'),
    connectTimeoutS: optional('number (s)', seconds(1, 3600), 'Per connection attempt.', '5'),
    msg: optional('string', optionalString, 'The message when the wait times out, instead of the default one.'),
  },
  {
    summary: "Wait on the host for a port or a file (or just sleep), as Ansible's wait_for.",
    checkMode:
      "Runs (it is a read, as Ansible's wait_for): polls on the host until the condition holds or fails on timeout. A wait for something an earlier, unapplied task would start therefore times out in check mode.",
    across(args) {
      const state = args.state ?? 'started';
      if (args.port !== undefined && args.path !== undefined) throw new ModuleArgsError('wait for a port or for a path, not both', { field: 'path' });
      if (args.host !== undefined && args.port === undefined) throw new ModuleArgsError('host goes with port', { field: 'host' });
      if (state === 'drained' && args.port === undefined) throw new ModuleArgsError("state 'drained' needs a port", { field: 'state' });
      if (args.searchRegex !== undefined) {
        if (args.path === undefined) throw new ModuleArgsError('searchRegex is matched in a file: give path (reading from a port is not supported)', { field: 'searchRegex' });
        if (state === 'absent' || state === 'stopped') throw new ModuleArgsError(`searchRegex has no meaning with state '${state}'`, { field: 'searchRegex' });
      }
      if (args.port === undefined && args.path === undefined && args.state !== undefined) {
        throw new ModuleArgsError('state needs a port or a path to apply to (without them waitFor just sleeps timeoutS)', { field: 'state' });
      }
    },
  },
);

export type WaitForArgs = SchemaArgs<typeof waitForArgs>;

function tcpPort(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 65535) {
    throw new ModuleArgsError(`must be a TCP port from 1 to 65535, got ${JSON.stringify(value)}`, { field });
  }
  return value;
}

function hostName(value: unknown, field: string): string | undefined {
  const host = optionalString(value, field);
  if (host !== undefined && !/^[A-Za-z0-9._:-]+$/.test(host)) throw new ModuleArgsError(`must be a host name or IP address, got ${JSON.stringify(host)}`, { field });
  return host;
}

function nonEmptyString(value: unknown, field: string): string | undefined {
  if (optionalString(value, field) === '') throw new ModuleArgsError('must not be empty', { field });
  return value as string | undefined;
}

function seconds(min: number, max: number): (value: unknown, field: string) => number {
  return (value, field) => {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
      throw new ModuleArgsError(`must be a number of seconds from ${min} to ${max}, got ${JSON.stringify(value)}`, { field });
    }
    return value;
  };
}

export interface WaitForData {
  /** Seconds waited, to a tenth. */
  elapsedS: number;
  /** With searchRegex: the first matching line. */
  matchedLine: string;
}

/**
 * Wait until a condition holds ON THE HOST, polled by one remote command with a deadline. It never
 * changes anything, and it runs in check mode too: it is a read, and later tasks' predictions
 * depend on what it waits for (as Ansible's wait_for does). In check mode a wait for something an
 * earlier, unapplied task would have started therefore times out: guard it or shorten timeoutS.
 */
export const waitFor = defineModule<WaitForArgs, WaitForData>({
  name: 'waitFor',

  schema: waitForArgs,
  validate: waitForArgs.validate,

  async plan(ctx, args) {
    const condition = conditionOf(args);
    const timeoutS = args.timeoutS ?? 300;
    const timing = { timeoutS, delayS: args.delayS ?? 0, sleepS: args.sleepS ?? 1 };
    const script = waitScript(condition, timing);
    const backstopMs = (timeoutS + timing.delayS + (args.connectTimeoutS ?? 5) + timing.sleepS + 30) * 1000;
    const result = await ctx.exec(script, { timeoutMs: Math.ceil(backstopMs) });
    const facts = parseProbeOutput(result.stdout);
    const elapsedS = Math.round(Number(facts.get('elapsed')?.[0] ?? 0) / 100) / 10;
    if (result.code === WAIT_TIMED_OUT) throw new TaskFailedError(args.msg ?? `timed out after ${elapsedS} s waiting for ${describe(condition)}`);
    if (result.code === WAIT_NO_TOOL || result.code === WAIT_BAD_REGEX) throw new TaskFailedError(result.stderr.trim());
    if (result.code !== 0) throw new CommandError(script, result, `waiting for ${describe(condition)} failed (${describeExit(result)}): ${result.stderr.trim()}`);
    const line = facts.get('line')?.[0];
    return { changes: [], data: { elapsedS, ...(line !== undefined ? { matchedLine: Buffer.from(line, 'base64').toString('utf8').replace(/\n$/, '') } : {}) } };
  },
});

function conditionOf(args: WaitForArgs): WaitCondition {
  const state = args.state ?? 'started';
  if (args.port !== undefined) {
    if (state === 'drained') return { kind: 'drained', port: args.port };
    const open = state === 'started' || state === 'present';
    return { kind: open ? 'port-open' : 'port-closed', host: args.host ?? '127.0.0.1', port: args.port, connectTimeoutS: args.connectTimeoutS ?? 5 };
  }
  if (args.path !== undefined) {
    return state === 'absent' || state === 'stopped' ? { kind: 'path-absent', path: args.path } : { kind: 'path-present', path: args.path, searchRegex: args.searchRegex };
  }
  return { kind: 'sleep' };
}

function describe(condition: WaitCondition): string {
  switch (condition.kind) {
    case 'port-open':
      return `${condition.host}:${condition.port} to accept connections`;
    case 'port-closed':
      return `${condition.host}:${condition.port} to stop accepting connections`;
    case 'drained':
      return `the active connections on port ${condition.port} to drain`;
    case 'path-present':
      return condition.searchRegex === undefined ? `${condition.path} to exist` : `${condition.path} to contain a line matching ${JSON.stringify(condition.searchRegex)}`;
    case 'path-absent':
      return `${condition.path} to disappear`;
    case 'sleep':
      return 'the timeout';
  }
}
