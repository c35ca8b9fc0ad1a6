import { createHmac, timingSafeEqual } from 'node:crypto';
import { appendFile, mkdir, readFile, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { keyTypeOf } from './fingerprint.ts';

/** One line of a known_hosts file. */
export interface KnownHostEntry {
  marker?: 'revoked' | 'cert-authority';
  /** The host field as written: comma-separated patterns, or one `|1|salt|hash`. */
  hosts: string;
  keyType: string;
  key: Buffer;
  line: number;
  /** The file it was read from (readKnownHosts). */
  file?: string;
}

/** The name known_hosts stores for an address: `host` on port 22, `[host]:port` otherwise. */
export function knownHostName(address: string, port: number): string {
  const host = address.toLowerCase();
  return port === 22 ? host : `[${host}]:${port}`;
}

/** Parse known_hosts text; malformed lines are skipped, as OpenSSH does. */
export function parseKnownHosts(text: string): KnownHostEntry[] {
  const entries: KnownHostEntry[] = [];
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const fields = line.split(/\s+/);
    let marker: KnownHostEntry['marker'];
    if (fields[0]?.startsWith('@')) {
      const name = fields.shift();
      if (name === '@revoked') marker = 'revoked';
      else if (name === '@cert-authority') marker = 'cert-authority';
      else return;
    }
    const [hosts, keyType, base64] = fields;
    if (!hosts || !keyType || !base64 || !/^[A-Za-z0-9+/]+={0,2}$/.test(base64)) return;
    const key = Buffer.from(base64, 'base64');
    if (keyTypeOf(key) !== keyType) return;
    entries.push({ ...(marker ? { marker } : {}), hosts, keyType, key, line: index + 1 });
  });
  return entries;
}

/** Whether an entry's host field names `name` (as from knownHostName): hashed, globs, negations. */
export function entryMatchesHost(entry: KnownHostEntry, name: string): boolean {
  if (entry.hosts.startsWith('|1|')) return hashedMatches(entry.hosts, name);
  const lowerName = name.toLowerCase();
  let matched = false;
  for (const { negated, matches } of patternsOf(entry)) {
    if (matches(lowerName)) {
      if (negated) return false;
      matched = true;
    }
  }
  return matched;
}

interface HostPattern {
  readonly negated: boolean;
  /** Takes a lower-case name. */
  readonly matches: (name: string) => boolean;
}

/** An entry's patterns, compiled once per entry (cached entries are looked up once per connection). */
const compiledPatterns = new WeakMap<KnownHostEntry, readonly HostPattern[]>();

function patternsOf(entry: KnownHostEntry): readonly HostPattern[] {
  let patterns = compiledPatterns.get(entry);
  if (!patterns) {
    patterns = entry.hosts.split(',').map((pattern) => {
      const negated = pattern.startsWith('!');
      return { negated, matches: globMatcher(negated ? pattern.slice(1) : pattern) };
    });
    compiledPatterns.set(entry, patterns);
  }
  return patterns;
}

function hashedMatches(field: string, name: string): boolean {
  const [, , salt, hash] = field.split('|');
  if (!salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  const actual = createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest();
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

/** OpenSSH's match_pattern: `*` and `?` are wildcards, everything else literal, case-insensitive. */
function globMatcher(pattern: string): (name: string) => boolean {
  const lower = pattern.toLowerCase();
  if (!/[*?]/.test(lower)) return (name) => name === lower;
  const regex = lower
    .split('')
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[\\^$.|+()[\]{}]/g, '\\$&')))
    .join('');
  const compiled = new RegExp(`^${regex}$`, 's');
  return (name) => compiled.test(name);
}

export type HostKeyVerdict = { status: 'known' } | { status: 'unknown' } | { status: 'revoked'; line: number; file?: string } | { status: 'changed'; expected: KnownHostEntry[] };

/**
 * Judge a server key against the entries for `name`: a revoked key is refused wherever it is
 * listed; a listed key for the host is known; other keys for the host mean the key changed;
 * no keys for the host at all mean it is unknown. @cert-authority lines are ignored (ploy does not
 * check host certificates).
 */
export function checkHostKey(entries: readonly KnownHostEntry[], name: string, key: Buffer): HostKeyVerdict {
  const revoked = entries.find((e) => e.marker === 'revoked' && e.key.equals(key));
  if (revoked) return { status: 'revoked', line: revoked.line, ...(revoked.file ? { file: revoked.file } : {}) };
  const forHost = entries.filter((e) => e.marker === undefined && entryMatchesHost(e, name));
  if (forHost.some((e) => e.key.equals(key))) return { status: 'known' };
  return forHost.length === 0 ? { status: 'unknown' } : { status: 'changed', expected: forHost };
}

/** The key types known for `name`, so they can be preferred when negotiating (as OpenSSH does). */
export function knownKeyTypes(entries: readonly KnownHostEntry[], name: string): string[] {
  const types = entries.filter((e) => e.marker === undefined && entryMatchesHost(e, name)).map((e) => e.keyType);
  return [...new Set(types)];
}

interface ParsedFile {
  /** What stat said when the file was read: a change to any of them means it must be read again. */
  readonly stamp: string;
  readonly entries: Promise<readonly KnownHostEntry[]>;
}

/** Parsed known_hosts files of this process, by path: every connection of a run reads the same ones. */
const parsed = new Map<string, ParsedFile>();

/**
 * The entries of a known_hosts file; a missing file has none. A regular file is parsed once per
 * process and reused while its device, inode, size, mtime and ctime stay the same (stat before
 * reading, so a write that races the read costs one more parse, never a stale answer). Anything
 * else (/dev/null, a pipe) is read every time: its stat says nothing about its content.
 */
export async function readKnownHosts(file: string): Promise<readonly KnownHostEntry[]> {
  let stamp: string;
  try {
    const s = await stat(file, { bigint: true });
    if (!s.isFile()) return parseFile(file);
    stamp = `${s.dev}:${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}`;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const cached = parsed.get(file);
  if (cached?.stamp === stamp) return cached.entries;
  const entries = parseFile(file);
  parsed.set(file, { stamp, entries });
  entries.catch(() => {
    if (parsed.get(file)?.entries === entries) parsed.delete(file);
  });
  return entries;
}

async function parseFile(file: string): Promise<readonly KnownHostEntry[]> {
  try {
    return parseKnownHosts(await readFile(file, 'utf8')).map((entry) => ({ ...entry, file }));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

const appending = new Map<string, Promise<void>>();

/**
 * Add `name keytype base64` to a known_hosts file, creating it (0600) if needed. Appends from this
 * process are serialised and the file is re-read first, so one key is never added twice; each line
 * is written with a single O_APPEND write, which other writers cannot interleave with.
 */
export function appendKnownHost(file: string, name: string, key: Buffer): Promise<void> {
  const previous = appending.get(file) ?? Promise.resolve();
  const next = previous
    .catch(() => {})
    .then(async () => {
      const entries = await readKnownHosts(file);
      if (checkHostKey(entries, name, key).status === 'known') return;
      await mkdir(dirname(file), { recursive: true, mode: 0o700 });
      let text = '';
      try {
        text = await readFile(file, 'utf8');
      } catch {
        // a new file
      }
      const separator = text && !text.endsWith('\n') ? '\n' : '';
      await appendFile(file, `${separator}${name} ${keyTypeOf(key)} ${key.toString('base64')}\n`, { mode: 0o600, flag: 'a' });
      parsed.delete(file);
    });
  appending.set(file, next);
  return next;
}
