import { InputError } from '../errors.ts';

/** What a host pattern is matched against. */
export interface PatternScope {
  /** Every host, in inventory order. */
  readonly hostNames: readonly string[];
  readonly groupNames: readonly string[];
  /** Hosts of a group and of the groups under it, in inventory order. */
  hostsOfGroup(group: string): readonly string[];
  /** The inventory's file, for messages. */
  readonly source: string;
}

const SUBSCRIPTED = /^(.+)\[(?:(-?\d+)|(\d+):(\d*))\]$/;
const GLOB_OR_DOTTED = /[.?*[]/;
const OLD_SUBSCRIPT = /^(.+)\[(\d+)-(\d*)\]$/;
/** A name, glob or regex between separators: anything but blanks, `:` and brackets, or a whole [...]. */
const WORD = /(?:[^\s:[\]]|\[[^\]]*\])+/g;

/**
 * Host names matching an Ansible host pattern, in inventory order (Ansible orders by pattern). As
 * in Ansible: parts are separated by `,` or `:`; a part is a host or group name, a glob (`web*`,
 * `k3s_?`, `node-[ab]`), a regex (`~web\d+`, matched from the start of the name), optionally
 * subscripted (`web[0]`, `web[-1]`, `web[1:]`, `web[0:2]`, inclusive); the plain parts are united
 * first, then `&part`s intersect, then `!part`s exclude; a pattern of only `&` and `!` parts starts
 * from `all`. Unlike Ansible, which warns and matches nothing, a plain name that is neither a host
 * nor a group is an InputError; a glob or regex that matches nothing is simply empty.
 */
export function selectHosts(scope: PatternScope, pattern: string): string[] {
  const parts = splitHostPattern(pattern);
  if (parts.length === 0) throw new InputError(`host pattern "${pattern}" is empty`);
  const hostSet = new Set(scope.hostNames);
  let selected = new Set<string>();
  for (const part of orderParts(parts)) {
    if (hostSet.has(part)) {
      selected.add(part);
      continue;
    }
    const matched = new Set(matchPart(scope, part.replace(/^[&!]/, ''), pattern));
    if (part.startsWith('!')) selected = new Set([...selected].filter((h) => !matched.has(h)));
    else if (part.startsWith('&')) selected = new Set([...selected].filter((h) => matched.has(h)));
    else for (const host of matched) selected.add(host);
  }
  return scope.hostNames.filter((h) => selected.has(h));
}

/** Ansible's split_host_pattern: `a:b,c` → a, b, c; keeps `[x:y]` and IPv6 addresses whole. */
export function splitHostPattern(pattern: string): string[] {
  return pattern.split(',').flatMap((piece) => {
    const part = piece.trim();
    if (part === '') return [];
    if (isIpv6(part)) return [part];
    const words = part.match(WORD) ?? [];
    // Ansible silently drops what its split cannot read (`~[`, `web[1:`); ploy refuses it.
    if (/[^\s:]/.test(part.replace(WORD, ''))) throw new InputError(`host pattern "${pattern}" has an unmatched [ or ]`);
    return words;
  });
}

function isIpv6(text: string): boolean {
  return /^[0-9a-fA-F:]+(?:%\w+)?$/.test(text) && (text.includes('::') || text.split(':').length === 8);
}

/** Ansible's order_patterns: unions, then intersections, then exclusions. */
function orderParts(parts: string[]): string[] {
  const plain = parts.filter((p) => !p.startsWith('&') && !p.startsWith('!'));
  const intersections = parts.filter((p) => p.startsWith('&'));
  const exclusions = parts.filter((p) => p.startsWith('!'));
  return [...(plain.length ? plain : ['all']), ...intersections, ...exclusions];
}

function matchPart(scope: PatternScope, part: string, pattern: string): string[] {
  if (part === '') throw new InputError(`host pattern "${pattern}" has an empty part after & or !`);
  const old = part.startsWith('~') ? undefined : OLD_SUBSCRIPT.exec(part);
  if (old) {
    throw new InputError(`host pattern "${pattern}": write ${old[1]}[${old[2]}:${old[3]}] for an inclusive subscript; [x-y] was removed from Ansible`);
  }
  const subscript = part.startsWith('~') ? undefined : SUBSCRIPTED.exec(part);
  const expression = subscript ? (subscript[1] as string) : part;
  const hosts = enumerate(scope, expression, pattern);
  if (!subscript) return hosts;
  const [, , index, start, end] = subscript;
  if (index !== undefined) {
    const at = Number(index) < 0 ? hosts.length + Number(index) : Number(index);
    const host = hosts[at];
    if (host === undefined) {
      throw new InputError(`host pattern "${pattern}": "${part}" asks for host ${index} but "${expression}" matches ${hosts.length} host(s)`);
    }
    return [host];
  }
  return hosts.slice(Number(start), end ? Number(end) + 1 : undefined);
}

function enumerate(scope: PatternScope, expression: string, pattern: string): string[] {
  const isRegex = expression.startsWith('~');
  const matcher = isRegex ? regexMatcher(expression.slice(1), pattern) : globMatcher(expression);
  const groups = scope.groupNames.filter((g) => matcher.test(g));
  const found = new Set(groups.flatMap((g) => scope.hostsOfGroup(g)));
  if (groups.length === 0 || isRegex || GLOB_OR_DOTTED.test(expression)) {
    for (const host of scope.hostNames) if (matcher.test(host)) found.add(host);
  }
  if (found.size === 0 && groups.length === 0 && !isRegex && !/[?*[]/.test(expression)) {
    throw new InputError(`host pattern "${pattern}": no host or group is named "${expression}" in ${scope.source} (groups: ${[...scope.groupNames].sort().join(', ')})`);
  }
  return scope.hostNames.filter((h) => found.has(h));
}

function regexMatcher(source: string, pattern: string): RegExp {
  try {
    return new RegExp(`^(?:${source})`);
  } catch (error) {
    throw new InputError(`host pattern "${pattern}": invalid regular expression "~${source}": ${(error as Error).message}`, undefined, { cause: error });
  }
}

/** Python's fnmatch.translate: * ? [seq] [!seq], the whole name must match, case-sensitive. */
export function globMatcher(glob: string): RegExp {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i] as string;
    if (ch === '*') out += '.*';
    else if (ch === '?') out += '.';
    else if (ch === '[') {
      let j = i + 1;
      if (glob[j] === '!') j++;
      if (glob[j] === ']') j++;
      while (j < glob.length && glob[j] !== ']') j++;
      if (j >= glob.length) {
        out += '\\[';
        continue;
      }
      const set = glob.slice(i + 1, j);
      const negated = set.startsWith('!');
      const body = (negated ? set.slice(1) : set).replace(/[\\\]]/g, '\\$&').replace(/^\^/, '\\^');
      out += `[${negated ? '^' : ''}${body}]`;
      i = j;
    } else out += ch.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^(?:${out})$`, 's');
}
