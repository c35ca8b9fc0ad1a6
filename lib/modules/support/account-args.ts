import { ModuleArgsError } from '../../errors.ts';

/** User and group names as useradd/groupadd accept them everywhere (a trailing $ for machine accounts). */
const ACCOUNT_NAME = /^[a-z_][a-z0-9_-]*\$?$/;
const MAX_NAME = 32;
/** The largest id a user or group can have; 2^32-1 is (uid_t)-1, "no id". */
const MAX_ID = 4294967294;

export function requireAccountName(value: unknown, field: string): string {
  if (typeof value !== 'string' || !ACCOUNT_NAME.test(value) || value.length > MAX_NAME) {
    throw new ModuleArgsError(`must be an account name (lowercase letter or _, then lowercase letters, digits, _ and -; at most ${MAX_NAME}), got ${JSON.stringify(value)}`, { field });
  }
  return value;
}

export function optionalAccountName(value: unknown, field: string): string | undefined {
  return value === undefined ? undefined : requireAccountName(value, field);
}

/** A numeric uid or gid: a whole number, not a string of digits (YAML and JS agree on those). */
export function optionalAccountId(value: unknown, field: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= MAX_ID) return value;
  throw new ModuleArgsError(`must be a whole number from 0 to ${MAX_ID}, got ${JSON.stringify(value)}`, { field });
}

/** A list of account names (groups: ['docker', 'adm']); duplicates are refused as a likely typo. */
export function optionalAccountNames(value: unknown, field: string): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) throw new ModuleArgsError(`must be a list of names, got ${typeof value}`, { field });
  const names = value.map((item) => requireAccountName(item, field));
  const twice = names.find((name, i) => names.indexOf(name) !== i);
  if (twice !== undefined) throw new ModuleArgsError(`names ${JSON.stringify(twice)} twice`, { field });
  return names;
}

/** Split one `getent passwd` line (name:x:uid:gid:gecos:home:shell). */
export function parsePasswdLine(line: string): { name: string; uid: number; gid: number; comment: string; home: string; shell: string } {
  const fields = line.split(':');
  if (fields.length !== 7) throw new Error(`unexpected passwd entry ${JSON.stringify(line)}`);
  const [name, , uid, gid, comment, home, shell] = fields as [string, string, string, string, string, string, string];
  return { name, uid: Number(uid), gid: Number(gid), comment, home, shell };
}

/** Split one `getent group` line (name:x:gid:member,member). */
export function parseGroupLine(line: string): { name: string; gid: number; members: string[] } {
  const fields = line.split(':');
  if (fields.length !== 4) throw new Error(`unexpected group entry ${JSON.stringify(line)}`);
  const [name, , gid, members] = fields as [string, string, string, string];
  return { name, gid: Number(gid), members: members === '' ? [] : members.split(',') };
}
