import { InputError } from '../errors.ts';

/** One hop of a ProxyJump list: `[user@]host[:port]` or `ssh://[user@]host[:port]`. */
export interface JumpHop {
  host: string;
  user?: string;
  port?: number;
  /** From a ProxyCommand's `-i FILE`. */
  privateKeyFile?: string;
}

export interface Where {
  host: string;
  field: string;
  file?: string;
}

/** Parse a ProxyJump value: comma-separated hops, the first one connected to first. `none` → no hops. */
export function parseProxyJump(value: string, where: Where): JumpHop[] {
  const text = value.trim();
  if (text === '' || text.toLowerCase() === 'none') return [];
  return text.split(',').map((hop) => parseHop(hop.trim(), where));
}

function parseHop(text: string, where: Where): JumpHop {
  const match = /^(?:ssh:\/\/)?(?:([^@\s]+)@)?(\[[^\]]+\]|[^:@\s[\]]+)(?::([^:]*))?$/.exec(text);
  if (!match) throw new InputError(`invalid jump host ${JSON.stringify(text)}; expected [user@]host[:port]`, where);
  const [, user, rawHost = '', rawPort] = match;
  const hop: JumpHop = { host: rawHost.replace(/^\[(.*)\]$/, '$1') };
  if (user) hop.user = user;
  if (rawPort !== undefined) hop.port = parsePort(rawPort, `jump host ${text}`, where);
  return hop;
}

/** A TCP port from a var or config value; InputError naming the value otherwise. */
export function parsePort(value: unknown, what: string, where: Where): number {
  const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : '';
  const port = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new InputError(`${what}: port must be a number from 1 to 65535, got ${JSON.stringify(value)}`, where);
  }
  return port;
}

/**
 * The jump hops an Ansible ssh argument string asks for: `-J HOPS`, `-o ProxyJump=HOPS`, or a
 * ProxyCommand of the form `ssh -W %h:%p [-p PORT] [-l USER] [-i KEY] [user@]host`. First found wins,
 * as with OpenSSH options. Any other ProxyCommand cannot be honoured without a local ssh process,
 * so it is refused rather than silently bypassed. Undefined when the args name no jump host.
 */
export function jumpFromSshArgs(args: string, where: Where): JumpHop[] | undefined {
  const words = splitShellWords(args, where);
  for (let i = 0; i < words.length; i++) {
    const word = words[i] ?? '';
    let option: string | undefined;
    if (word === '-J') return parseProxyJump(words[++i] ?? '', where);
    if (word.startsWith('-J')) return parseProxyJump(word.slice(2), where);
    if (word === '-o') option = words[++i];
    else if (word.startsWith('-o')) option = word.slice(2);
    if (option === undefined) continue;
    const { key, value } = parseSshOption(option);
    if (key === 'proxyjump') return parseProxyJump(value, where);
    if (key === 'proxycommand') return proxyCommandHop(value, where);
  }
  return undefined;
}

/**
 * The value of the first `-o NAME=VALUE` (or `-o "NAME VALUE"`) for an option in ssh args, the
 * one OpenSSH uses; the name is matched case-insensitively. Undefined when the args do not set it.
 */
export function sshOptionFromArgs(args: string, name: string, where: Where): string | undefined {
  const words = splitShellWords(args, where);
  for (let i = 0; i < words.length; i++) {
    const word = words[i] ?? '';
    let option: string | undefined;
    if (word === '-o') option = words[++i];
    else if (word.startsWith('-o')) option = word.slice(2);
    else if (word === '-F' || word === '-J') i++;
    if (option === undefined) continue;
    const { key, value } = parseSshOption(option);
    if (key === name.toLowerCase()) return value;
  }
  return undefined;
}

function parseSshOption(option: string): { key: string | undefined; value: string } {
  const kv = /^\s*(\w+)\s*(?:=|\s)\s*(.*)$/s.exec(option);
  return { key: kv?.[1]?.toLowerCase(), value: kv?.[2] ?? '' };
}

/** The file of `-F FILE` in ssh args: ssh then reads it instead of ~/.ssh/config. */
export function configFileFromSshArgs(args: string, where: Where): string | undefined {
  const words = splitShellWords(args, where);
  for (let i = 0; i < words.length; i++) {
    const word = words[i] ?? '';
    if (word === '-F') return words[i + 1] ?? undefined;
    if (word.startsWith('-F')) return word.slice(2);
    if (word === '-o' || word === '-J') i++;
  }
  return undefined;
}

function proxyCommandHop(command: string, where: Where): JumpHop[] {
  if (command.trim().toLowerCase() === 'none') return [];
  const words = splitShellWords(command, where);
  const refuse = (): never => {
    throw new InputError(`ProxyCommand ${JSON.stringify(command)} is not supported; use -o ProxyJump=[user@]host[:port] (or ploy_jump_host) instead`, where);
  };
  if (words[0] !== 'ssh' && !words[0]?.endsWith('/ssh')) refuse();
  const hop: Partial<JumpHop> = {};
  let sawForward = false;
  for (let i = 1; i < words.length; i++) {
    const word = words[i] ?? '';
    if (word === '-W') sawForward = words[++i] === '%h:%p';
    else if (word === '-p') hop.port = parsePort(words[++i], 'ProxyCommand -p', where);
    else if (word === '-l') hop.user = words[++i] ?? refuse();
    else if (word === '-i') hop.privateKeyFile = words[++i] ?? refuse();
    else if (word === '-o')
      i++; // options for the jump connection itself: not needed to find it
    else if (/^-[qCTxvAN46]+$/.test(word)) continue;
    else if (word.startsWith('-') || hop.host) refuse();
    else {
      const [parsed] = parseProxyJump(word, where);
      if (!parsed) refuse();
      hop.host = parsed?.host;
      if (parsed?.user && !hop.user) hop.user = parsed.user;
      if (parsed?.port && !hop.port) hop.port = parsed.port;
    }
  }
  if (!sawForward || !hop.host) refuse();
  return [hop as JumpHop];
}

/** Split a string into words as /bin/sh would: whitespace, single and double quotes, backslashes. */
export function splitShellWords(text: string, where: Where): string[] {
  const words: string[] = [];
  let word: string | undefined;
  let quote: "'" | '"' | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] ?? '';
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === '\\' && quote === '"' && /["\\$`]/.test(text[i + 1] ?? '')) word += text[++i] ?? '';
      else word += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      word ??= '';
    } else if (c === '\\') {
      word = (word ?? '') + (text[++i] ?? '');
    } else if (/\s/.test(c)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else {
      word = (word ?? '') + c;
    }
  }
  if (quote) throw new InputError(`unterminated ${quote} quote in ${JSON.stringify(text)}`, where);
  if (word !== undefined) words.push(word);
  return words;
}
