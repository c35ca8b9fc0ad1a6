import { isIP } from 'node:net';
import { InputError } from '../errors.ts';
import { readSshConfigFile, type SshConfigLine } from './ssh-config-file.ts';
import { includedFiles } from './ssh-config-include.ts';
import { hostLineMatches, matchLineMatches } from './ssh-config-match.ts';

/** A value and the line it came from. */
export interface SshConfigValue {
  args: string[];
  file: string;
  line: number;
}

/** What a config says for one host: the first value of each keyword (lower case), and every IdentityFile. */
export interface SshConfigValues {
  first: Map<string, SshConfigValue>;
  identityFiles: string[];
}

export interface WalkContext {
  localUser: string;
  home: string;
}

/** OpenSSH's limit on nested Include (READCONF_MAX_DEPTH). */
const MAX_DEPTH = 16;

/**
 * Evaluate a config for a host as ssh does: lines in order, `Host` and `Match` turning the lines
 * after them on or off, the first value of an option winning (IdentityFile accumulates). `Include`
 * reads its files in place: they start in the state of the line that includes them (so an Include
 * inside a Host block applies only to that host), their own Host and Match lines count only if
 * that line was active, and the including file's state comes back after them. When a `Match final`
 * (or CanonicalizeHostname) asks for it, a second pass runs with the final host name, adding only
 * what the first left unset; the DNS canonicalisation itself is not done.
 */
export function walkSshConfig(root: readonly SshConfigLine[], host: string, context: WalkContext): SshConfigValues {
  const values: SshConfigValues = { first: new Map(), identityFiles: [] };
  const first = new Pass(values, host, host, false, context);
  first.walk(root, { active: true }, false, 0);
  const canonicalize = values.first.get('canonicalizehostname')?.args[0]?.toLowerCase();
  if (first.wantsFinal || canonicalize === 'yes' || canonicalize === 'always') {
    const name = hostNameOf(values, host);
    const finalName = isIP(name) ? name : name.toLowerCase();
    const written = values.first.get('hostname');
    values.first.set('hostname', { args: [finalName], file: written?.file ?? '', line: written?.line ?? 0 });
    new Pass(values, finalName, host, true, context).walk(root, { active: true }, false, 0);
  }
  return values;
}

/** HostName with %h (the host as given) and %% expanded, or that host when none is set. */
export function hostNameOf(values: SshConfigValues, host: string): string {
  const hostName = values.first.get('hostname')?.args[0];
  return hostName === undefined ? host : hostName.replace(/%(%|h)/g, (_, token: string) => (token === 'h' ? host : '%'));
}

class Pass {
  wantsFinal = false;

  constructor(
    private readonly values: SshConfigValues,
    private readonly host: string,
    private readonly originalHost: string,
    private readonly finalPass: boolean,
    private readonly context: WalkContext,
  ) {}

  walk(lines: readonly SshConfigLine[], state: { active: boolean }, neverMatch: boolean, depth: number): void {
    for (const line of lines) {
      switch (line.keyword) {
        case 'host':
          state.active = !neverMatch && hostLineMatches(line, this.host);
          break;
        case 'match': {
          const { matches, wantsFinal } = matchLineMatches(line, this.#subject());
          this.wantsFinal ||= wantsFinal;
          state.active = !neverMatch && matches;
          break;
        }
        case 'include':
          this.#include(line, state, neverMatch, depth);
          break;
        default:
          if (state.active) this.#set(line);
      }
    }
  }

  #include(line: SshConfigLine, state: { active: boolean }, neverMatch: boolean, depth: number): void {
    if (depth + 1 > MAX_DEPTH) throw new InputError(`ssh config: Include nested more than ${MAX_DEPTH} deep (does a file include itself?)`, line);
    for (const argument of line.args) {
      for (const file of includedFiles(argument, this.context.home, line)) {
        const lines = readSshConfigFile(file, line);
        if (!lines) continue;
        const outer = state.active;
        this.walk(lines, state, neverMatch || !outer, depth + 1);
        state.active = outer;
      }
    }
  }

  #set(line: SshConfigLine): void {
    if (line.keyword === 'identityfile') {
      const file = line.args[0] as string;
      if (!this.values.identityFiles.includes(file)) this.values.identityFiles.push(file);
      return;
    }
    if (!this.values.first.has(line.keyword)) this.values.first.set(line.keyword, { args: line.args, file: line.file, line: line.line });
  }

  #subject() {
    const host = this.finalPass ? this.host : hostNameOf(this.values, this.originalHost);
    const user = this.values.first.get('user')?.args[0] ?? this.context.localUser;
    return { host, originalHost: this.originalHost, user, localUser: this.context.localUser, finalPass: this.finalPass };
  }
}
