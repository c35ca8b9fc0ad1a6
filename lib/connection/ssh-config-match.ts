import { InputError } from '../errors.ts';
import type { SshConfigLine } from './ssh-config-file.ts';

/** OpenSSH's match_pattern: `*` any run of characters, `?` one character, case as written. */
export function matchPattern(text: string, pattern: string): boolean {
  const source = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${source}$`, 's').test(text);
}

/** OpenSSH's match_pattern_list: comma-separated patterns, `!` negates; 1 match, -1 negated match, 0 none. */
export function matchPatternList(text: string, list: string, lowerCase: boolean): -1 | 0 | 1 {
  let positive = false;
  for (const item of list.split(',')) {
    const negated = item.startsWith('!');
    const pattern = negated ? item.slice(1) : item;
    if (!matchPattern(text, lowerCase ? pattern.toLowerCase() : pattern)) continue;
    if (negated) return -1;
    positive = true;
  }
  return positive ? 1 : 0;
}

/** A `Host` line: any pattern matching turns it on, a matching `!pattern` turns it off for good. */
export function hostLineMatches(line: SshConfigLine, host: string): boolean {
  let active = false;
  for (const arg of line.args) {
    const negated = arg.startsWith('!');
    if (!matchPattern(host, negated ? arg.slice(1) : arg)) continue;
    if (negated) return false;
    active = true;
  }
  return active;
}

/** What `Match` criteria are tested against, at the point of the config where the line is. */
export interface MatchSubject {
  /** HostName so far (with %h expanded), else the host as given; in the final pass the final host name. */
  host: string;
  /** The host as given on the command line (or in the inventory). */
  originalHost: string;
  /** User so far, else the local user. */
  user: string;
  localUser: string;
  finalPass: boolean;
}

/**
 * A `Match` line as OpenSSH 9.2 evaluates it: every criterion must hold (`!` negates one); `all`
 * stands alone; `canonical` and `final` hold only in the final pass, and `final` asks for one.
 * `exec` commands are never run: ploy does not execute shell commands found in an ssh config, so
 * `exec` counts as not matching. wantsFinal is reported even when the line does not match, as ssh does.
 */
export function matchLineMatches(line: SshConfigLine, subject: MatchSubject): { matches: boolean; wantsFinal: boolean } {
  const args = line.args;
  let result = true;
  let wantsFinal = false;
  let attributes = 0;
  for (let i = 0; i < args.length; i++) {
    const written = args[i] as string;
    const negate = written.startsWith('!');
    const attribute = (negate ? written.slice(1) : written).toLowerCase();
    if (attribute === 'all') {
      if (attributes > 1 || i + 1 < args.length) throw new InputError(`ssh config: Match "${written}" cannot be combined with other criteria`, line);
      if (result) result = !negate;
      return { matches: result, wantsFinal };
    }
    attributes++;
    if (attribute === 'canonical' || attribute === 'final') {
      if (attribute === 'final') wantsFinal = true;
      if (subject.finalPass === negate) result = false;
      continue;
    }
    const argument = args[++i];
    if (argument === undefined || argument === '') throw new InputError(`ssh config: Match ${written} needs an argument`, line);
    let holds: boolean;
    switch (attribute) {
      case 'host':
        holds = matchPatternList(subject.host.toLowerCase(), argument, true) === 1;
        break;
      case 'originalhost':
        holds = matchPatternList(subject.originalHost.toLowerCase(), argument, true) === 1;
        break;
      case 'user':
        holds = matchPatternList(subject.user, argument, false) === 1;
        break;
      case 'localuser':
        holds = matchPatternList(subject.localUser, argument, false) === 1;
        break;
      case 'exec':
        holds = false;
        break;
      default:
        throw new InputError(`ssh config: unsupported Match criterion "${written}"`, line);
    }
    if (holds === negate) result = false;
  }
  return { matches: result, wantsFinal };
}
