import { ModuleArgsError } from '../../errors.ts';

/**
 * A file mode as a module argument: octal ('0644', '644', '2755') is the exact mode; symbolic
 * ('u=rw,g=r,o=', 'u+x,go-w', 'a+X') is applied to the current mode as GNU chmod does.
 */
export type ModeSpec = { readonly kind: 'octal'; readonly text: string; readonly value: number } | { readonly kind: 'symbolic'; readonly text: string; readonly changes: readonly ModeChange[] };

/** One `who op perms` step of a symbolic mode, in gnulib's modechange terms. */
export interface ModeChange {
  readonly op: '+' | '-' | '=';
  /** Bits named by who (u/g/o/a); 0 when no who was given, so the umask applies. */
  readonly affected: number;
  readonly value: number;
  /** X (execute only for directories or files already executable by someone), or copy from u/g/o. */
  readonly flag: 'ordinary' | 'x-if-any-x' | 'copy';
  /** Bits the change names, which decides whether a directory's setuid/setgid bits are kept. */
  readonly mentioned: number;
}

const SUID = 0o4000;
const SGID = 0o2000;
const STICKY = 0o1000;
const ALL_BITS = 0o7777;
const READ = 0o444;
const WRITE = 0o222;
const EXEC = 0o111;

const WHO_BITS: Record<string, number> = {
  u: SUID | 0o700,
  g: SGID | 0o070,
  o: STICKY | 0o007,
  a: ALL_BITS,
};
const COPY_BITS: Record<string, number> = { u: 0o700, g: 0o070, o: 0o007 };
const PERM_BITS: Record<string, number> = { r: READ, w: WRITE, x: EXEC, s: SUID | SGID, t: STICKY };

const OCTAL = /^[0-7]{3,4}$/;
const CLAUSE = /^([ugoa]*)((?:[-+=](?:[ugo]|[rwxXst]*))+)$/;
const ACTION = /([-+=])([ugo](?![rwxXst])|[rwxXst]*)/g;

/** Check a mode argument; a number is refused because YAML and JS turn 0644 into 420 or 644. */
export function parseMode(value: unknown, field = 'mode'): ModeSpec {
  if (typeof value === 'number') {
    const digits = String(value);
    const asOctal = `'${value.toString(8).padStart(4, '0')}'`;
    const asTyped = OCTAL.test(digits) ? `'${digits.padStart(4, '0')}'` : asOctal;
    const hint = asTyped === asOctal ? asTyped : `${asTyped} (or ${asOctal} if you wrote 0o${value.toString(8)})`;
    throw new ModuleArgsError(
      `mode must be a string, not the number ${value}: a number loses its leading zero and is read as ` + `decimal (644 is octal 1204, not rw-r--r--); quote it: mode: ${hint}`,
      { field },
    );
  }
  if (typeof value !== 'string' || value === '') {
    throw new ModuleArgsError(`mode must be an octal string like '0644' or a symbolic mode like 'u=rw,g=r,o=', got ${describe(value)}`, { field });
  }
  if (OCTAL.test(value)) return { kind: 'octal', text: value, value: parseInt(value, 8) };
  const clauses = value.split(',');
  const changes: ModeChange[] = [];
  for (const clause of clauses) {
    const match = CLAUSE.exec(clause);
    if (!match) {
      throw new ModuleArgsError(`mode ${JSON.stringify(value)} is neither octal (3 or 4 digits 0-7, like '0644') nor symbolic (like 'u=rw,g=r,o=' or 'u+x,go-w')`, { field });
    }
    const who = match[1] ?? '';
    const affected = [...who].reduce((bits, c) => bits | (WHO_BITS[c] ?? 0), 0);
    for (const action of (match[2] ?? '').matchAll(ACTION)) {
      changes.push(compileAction(action[1] as ModeChange['op'], action[2] ?? '', affected));
    }
  }
  return { kind: 'symbolic', text: value, changes };
}

function compileAction(op: ModeChange['op'], perms: string, affected: number): ModeChange {
  const copy = COPY_BITS[perms];
  if (copy !== undefined) return { op, affected, value: copy, flag: 'copy', mentioned: affected ? affected & copy : copy };
  let value = 0;
  let flag: ModeChange['flag'] = 'ordinary';
  for (const c of perms) {
    if (c === 'X') flag = 'x-if-any-x';
    else value |= PERM_BITS[c] ?? 0;
  }
  return { op, affected, value, flag, mentioned: affected ? affected & value : value };
}

/**
 * The mode a path ends up with: an octal spec is exact; a symbolic one is applied to `current`
 * with GNU chmod's rules (no who = all but the umask's bits; X; u/g/o copies; a directory keeps
 * its setuid/setgid bits unless the change names them).
 */
export function resolveMode(spec: ModeSpec, current: number, isDirectory: boolean, umask: number): number {
  if (spec.kind === 'octal') return spec.value;
  let mode = current & ALL_BITS;
  for (const change of spec.changes) {
    const omit = (isDirectory ? SUID | SGID : 0) & ~change.mentioned;
    let value = change.value;
    if (change.flag === 'copy') {
      value &= mode;
      value |= (value & READ ? READ : 0) | (value & WRITE ? WRITE : 0) | (value & EXEC ? EXEC : 0);
    } else if (change.flag === 'x-if-any-x' && (mode & EXEC || isDirectory)) {
      value |= EXEC;
    }
    value &= (change.affected ? change.affected : ~umask) & ~omit;
    if (change.op === '=') {
      const preserved = (change.affected ? ~change.affected : 0) | omit;
      mode = (mode & preserved) | value;
    } else if (change.op === '+') {
      mode |= value;
    } else {
      mode &= ~value;
    }
  }
  return mode & ALL_BITS;
}

/** The mode a new file or directory gets before any spec: 0666 or 0777 less the umask. */
export function defaultMode(isDirectory: boolean, umask: number): number {
  return (isDirectory ? 0o777 : 0o666) & ~umask;
}

/** '0644', '2755': four octal digits, as Ansible shows modes. */
export function formatMode(mode: number): string {
  return mode.toString(8).padStart(4, '0');
}

/**
 * The mode argument for chmod. Five digits, because GNU chmod keeps a directory's setuid/setgid
 * bits for a shorter numeric mode, and an octal spec here means the exact mode.
 */
export function chmodArgument(spec: ModeSpec | number): string {
  if (typeof spec === 'number') return `0${formatMode(spec)}`;
  return spec.kind === 'octal' ? `0${formatMode(spec.value)}` : spec.text;
}

/** Parse the output of `umask` ('0022'). */
export function parseUmask(text: string): number {
  const trimmed = text.trim();
  if (!/^[0-7]{1,4}$/.test(trimmed)) throw new Error(`unexpected umask output ${JSON.stringify(text)}`);
  return parseInt(trimmed, 8);
}

function describe(value: unknown): string {
  if (value === '') return 'an empty string';
  return value === null ? 'null' : typeof value === 'object' ? 'an object' : `${typeof value} ${String(value)}`;
}
