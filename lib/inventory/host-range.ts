import { InputError } from '../errors.ts';

export interface HostEntry {
  /** Host names, ranges expanded, in order. */
  names: string[];
  /** A port written as `name:port`; Ansible sets it as ansible_port. */
  port?: number;
}

const LETTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
const RANGE = /\[([^\]]*)\]/;

/**
 * Read a key of an inventory `hosts:` mapping as Ansible does: `web[01:03]` is web01..web03
 * (zero-padded when the start is), `db-[a:c]` is db-a..db-c, `[x:y:step]` steps, several ranges
 * multiply; `name:2222`, `[v6addr]:2222` carry a port; a bare IPv6 address is a name.
 */
export function expandHostEntry(entry: string, where: InputError['where']): HostEntry {
  const { name, port } = splitPort(entry.trim());
  if (name === '') throw new InputError(`empty host name in "${entry}"`, where);
  return { names: expandRanges(name, where), ...(port !== undefined ? { port } : {}) };
}

function splitPort(entry: string): { name: string; port?: number } {
  const bracketed = /^\[([0-9a-fA-F.%]*:[0-9a-fA-F.%]*:[0-9a-fA-F:.%]*)\](?::(\d+))?$/.exec(entry);
  if (bracketed) return { name: bracketed[1] as string, ...(bracketed[2] ? { port: Number(bracketed[2]) } : {}) };
  const outside = entry.replace(/\[[^\]]*\]/g, (range) => '_'.repeat(range.length));
  const colons = (outside.match(/:/g) ?? []).length;
  if (colons === 1) {
    const at = outside.indexOf(':');
    const port = entry.slice(at + 1);
    if (/^\d+$/.test(port)) return { name: entry.slice(0, at), port: Number(port) };
  }
  return { name: entry };
}

function expandRanges(name: string, where: InputError['where']): string[] {
  const match = RANGE.exec(name);
  if (!match || !match[1]?.includes(':')) return [name];
  const head = name.slice(0, match.index);
  const tail = name.slice(match.index + match[0].length);
  return rangeValues(match[1], name, where).flatMap((value) => expandRanges(head + value + tail, where));
}

function rangeValues(range: string, name: string, where: InputError['where']): string[] {
  const bad = (why: string): never => {
    throw new InputError(`host range in "${name}" ${why}`, where);
  };
  const bounds = range.split(':');
  if (bounds.length > 3) bad('must be [begin:end] or [begin:end:step]');
  const begin = bounds[0] || '0';
  const end = bounds[1] ?? '';
  const step = bounds[2] === undefined ? 1 : Number(bounds[2]);
  if (end === '') bad('must give an end value');
  if (!Number.isInteger(step) || step < 1) bad('must have a positive whole step');
  if (/^[A-Za-z]$/.test(begin) && /^[A-Za-z]$/.test(end)) {
    const from = LETTERS.indexOf(begin);
    const to = LETTERS.indexOf(end);
    if (from > to) bad('must have begin <= end');
    const letters: string[] = [];
    for (let i = from; i <= to; i += step) letters.push(LETTERS[i] as string);
    return letters;
  }
  if (!/^\d+$/.test(begin) || !/^\d+$/.test(end)) bad('must be numbers or single letters');
  const width = begin.length > 1 && begin.startsWith('0') ? begin.length : 0;
  if (width && width !== end.length) bad('must write begin and end with the same number of digits');
  const from = Number(begin);
  const to = Number(end);
  if (from > to) bad('must have begin <= end');
  if ((to - from) / step > 100_000) bad('expands to more than 100000 hosts');
  const values: string[] = [];
  for (let i = from; i <= to; i += step) values.push(String(i).padStart(width, '0'));
  return values;
}
