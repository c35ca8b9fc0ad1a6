import { readFileSync } from 'node:fs';
import { InputError } from '../errors.ts';

/** One directive of an ssh config file: its keyword in lower case and its arguments, unquoted. */
export interface SshConfigLine {
  keyword: string;
  args: string[];
  file: string;
  line: number;
}

/**
 * Split ssh config text into directives as OpenSSH's readconf does: the keyword ends at a blank or
 * at one `=` (`Port=22`, `Port = 22`); the rest is split at blanks, with "double" or 'single'
 * quotes holding blanks, `\"`, `\'`, `\\` and `\ ` escaped, and a `#` between words ending the line.
 * A keyword without an argument and an unclosed quote are errors, as they are for ssh.
 */
export function parseSshConfig(text: string, file: string): SshConfigLine[] {
  const lines: SshConfigLine[] = [];
  for (const [index, raw] of text.split('\n').entries()) {
    const line = raw.replace(/[\s\f]+$/, '').replace(/^[ \t]+/, '');
    if (line === '' || line.startsWith('#')) continue;
    const where = { file, line: index + 1 };
    const head = /^([^ \t=]+)[ \t]*=?[ \t]*/.exec(line);
    if (!head) continue;
    const keyword = (head[1] as string).toLowerCase();
    const args = splitArguments(line.slice(head[0].length));
    if (args === undefined) throw new InputError(`ssh config: invalid quotes after ${head[1]}`, where);
    if (args.length === 0) throw new InputError(`ssh config: no argument after keyword "${head[1]}"`, where);
    lines.push({ keyword, args, ...where });
  }
  return lines;
}

/** OpenSSH's argv_split with comments ending the line; undefined when a quote is not closed. */
function splitArguments(text: string): string[] | undefined {
  const args: string[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (c === ' ' || c === '\t') {
      i++;
      continue;
    }
    if (c === '#') break;
    let arg = '';
    let quote = '';
    for (; i < text.length; i++) {
      const ch = text[i] as string;
      const next = text[i + 1];
      if (ch === '\\') {
        if (next === "'" || next === '"' || next === '\\' || (quote === '' && next === ' ')) {
          arg += next;
          i++;
        } else {
          arg += ch;
        }
      } else if (quote === '' && (ch === ' ' || ch === '\t')) {
        break;
      } else if (quote === '' && (ch === '"' || ch === "'")) {
        quote = ch;
      } else if (quote !== '' && ch === quote) {
        quote = '';
      } else {
        arg += ch;
      }
    }
    if (quote !== '') return undefined;
    args.push(arg);
  }
  return args;
}

const cache = new Map<string, SshConfigLine[] | null>();

/**
 * The directives of a config file, read once per process; null when it does not exist (or is a
 * directory: a glob may match one, and ssh reads nothing from it). Unreadable is an InputError.
 */
export function readSshConfigFile(path: string, from?: { file: string; line: number }): SshConfigLine[] | null {
  if (cache.has(path)) return cache.get(path) ?? null;
  let lines: SshConfigLine[] | null;
  try {
    lines = parseSshConfig(readFileSync(path, 'utf8'), path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'EISDIR') {
      if (error instanceof InputError) throw error;
      throw new InputError(`cannot read ssh config file ${path}: ${(error as Error).message}`, from, { cause: error });
    }
    lines = null;
  }
  cache.set(path, lines);
  return lines;
}
