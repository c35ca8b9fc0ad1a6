import { ModuleArgsError } from '../../errors.ts';

/**
 * Ansible's lineinfile and blockinfile take Python `re` patterns. They are translated to JavaScript
 * here, refusing what would silently mean something else: named groups `(?P<n>...)`/`(?P=n)`,
 * `\A`, `\Z` and leading global flags `(?ims)` are translated; `(?x)`, `(?a)`, `(?L)` and scoped
 * flags `(?i:...)` are refused. Known remaining differences: in JavaScript `.` and a multiline `$`
 * also stop at \r, U+2028 and U+2029.
 */
export interface PythonRegex {
  readonly source: string;
  readonly regex: RegExp;
  /** The pattern had a leading (?m): Python's re.MULTILINE. */
  readonly multiline: boolean;
  readonly groupCount: number;
  readonly groupNames: readonly string[];
}

const FLAG_MAP: Record<string, string> = { i: 'i', m: 'm', s: 's', u: '' };

export function compilePythonRegex(source: string, field: string): PythonRegex {
  let rest = source;
  let flags = '';
  const leading = /^\(\?([a-zA-Z]+)\)/.exec(rest);
  if (leading) {
    for (const flag of leading[1] ?? '') {
      const mapped = FLAG_MAP[flag];
      if (mapped === undefined) throw new ModuleArgsError(`the Python regex flag (?${flag}) has no JavaScript equivalent: ${JSON.stringify(source)}`, { field });
      if (!flags.includes(mapped)) flags += mapped;
    }
    rest = rest.slice(leading[0].length);
  }
  const translated = translate(rest, source, field);
  let regex: RegExp;
  try {
    regex = new RegExp(translated, flags);
  } catch (error) {
    throw new ModuleArgsError(`not a valid regular expression ${JSON.stringify(source)}: ${(error as Error).message}`, { field });
  }
  const probe = new RegExp(`${translated}|`, flags).exec('');
  const groupCount = (probe?.length ?? 1) - 1;
  const groupNames = Object.keys(probe?.groups ?? {});
  return { source, regex, multiline: flags.includes('m'), groupCount, groupNames };
}

function translate(pattern: string, source: string, field: string): string {
  let out = '';
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === '\\') {
      const next = pattern[i + 1] ?? '';
      i++;
      if (!inClass && next === 'A') out += '(?<![\\s\\S])';
      else if (!inClass && next === 'Z') out += '(?![\\s\\S])';
      else out += `\\${next}`;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      out += c;
      continue;
    }
    if (c === '[') {
      inClass = true;
      out += c;
      if (pattern[i + 1] === '^') out += pattern[++i];
      // A ] right after [ or [^ is a literal in Python; JavaScript needs it escaped.
      if (pattern[i + 1] === ']') {
        out += '\\]';
        i++;
      }
      continue;
    }
    if (c === '(' && pattern[i + 1] === '?') {
      const head = pattern.slice(i);
      const named = /^\(\?P<([A-Za-z_][A-Za-z0-9_]*)>/.exec(head);
      if (named) {
        out += `(?<${named[1]}>`;
        i += named[0].length - 1;
        continue;
      }
      const backref = /^\(\?P=([A-Za-z_][A-Za-z0-9_]*)\)/.exec(head);
      if (backref) {
        out += `\\k<${backref[1]}>`;
        i += backref[0].length - 1;
        continue;
      }
      if (/^\(\?[a-zA-Z-]+[:)]/.test(head)) {
        throw new ModuleArgsError(`inline flags are only supported at the start of the pattern (as Python 3.11 requires): ${JSON.stringify(source)}`, { field });
      }
    }
    out += c;
  }
  return out;
}

/** Python's single-character escapes in a replacement template. */
const TEMPLATE_ESCAPES: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\' };

type TemplatePart = string | { group: number | string };

/** Parse a Python re replacement template (match.expand): \1, \g<1>, \g<name>, \n... */
export function parseTemplate(template: string, regex: PythonRegex, field: string): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let literal = '';
  const group = (ref: number | string) => {
    const known = typeof ref === 'number' ? ref <= regex.groupCount : regex.groupNames.includes(ref);
    if (!known) throw new ModuleArgsError(`invalid group reference ${JSON.stringify(String(ref))}: the regexp has ${regex.groupCount} group(s)`, { field });
    if (literal) parts.push(literal);
    literal = '';
    parts.push({ group: ref });
  };
  for (let i = 0; i < template.length; i++) {
    const c = template[i] as string;
    if (c !== '\\') {
      literal += c;
      continue;
    }
    const next = template[i + 1];
    if (next === undefined) throw new ModuleArgsError('a replacement cannot end with a lone backslash', { field });
    if (next === 'g') {
      const ref = /^\\g<([^>]*)>/.exec(template.slice(i));
      if (!ref) throw new ModuleArgsError(`missing <group> after \\g in ${JSON.stringify(template)}`, { field });
      const name = ref[1] ?? '';
      group(/^\d+$/.test(name) ? Number(name) : name);
      i += ref[0].length - 1;
    } else if (/[1-9]/.test(next)) {
      const digits = /^\d{1,2}/.exec(template.slice(i + 1))?.[0] ?? next;
      group(Number(digits));
      i += digits.length;
    } else if (next === '0') {
      const octal = /^[0-7]{1,3}/.exec(template.slice(i + 1))?.[0] ?? '0';
      literal += String.fromCharCode(parseInt(octal, 8));
      i += octal.length;
    } else if (TEMPLATE_ESCAPES[next] !== undefined) {
      literal += TEMPLATE_ESCAPES[next];
      i++;
    } else if (/[A-Za-z]/.test(next)) {
      throw new ModuleArgsError(`bad escape \\${next} in ${JSON.stringify(template)}`, { field });
    } else {
      literal += `\\${next}`;
      i++;
    }
  }
  if (literal) parts.push(literal);
  return parts;
}

/** match.expand(template): a group that did not take part in the match is empty, as in Python 3.5+. */
export function expandTemplate(parts: readonly TemplatePart[], match: RegExpExecArray): string {
  return parts
    .map((part) => {
      if (typeof part === 'string') return part;
      return (typeof part.group === 'number' ? match[part.group] : match.groups?.[part.group]) ?? '';
    })
    .join('');
}
