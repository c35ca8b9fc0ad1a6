/**
 * authorized_keys lines as Ansible's authorized_key module sees them: optional options, a key
 * type, the base64 blob, an optional comment. A key is known by its type and blob; when the file
 * has it with other options or another comment, the wanted line replaces it (in place).
 */

const KEY_TYPES = new Set([
  'ssh-ed25519',
  'ssh-rsa',
  'ssh-dss',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'sk-ssh-ed25519@openssh.com',
  'sk-ecdsa-sha2-nistp256@openssh.com',
  'ssh-ed25519-cert-v01@openssh.com',
  'ssh-rsa-cert-v01@openssh.com',
  'ecdsa-sha2-nistp256-cert-v01@openssh.com',
  'ecdsa-sha2-nistp384-cert-v01@openssh.com',
  'ecdsa-sha2-nistp521-cert-v01@openssh.com',
  'sk-ssh-ed25519-cert-v01@openssh.com',
  'sk-ecdsa-sha2-nistp256-cert-v01@openssh.com',
]);
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

export interface AuthorizedKey {
  /** Options before the type, as written ('' when none): `from="10.0.0.1",no-pty`. */
  readonly options: string;
  readonly type: string;
  readonly blob: string;
  /** Everything after the blob, words joined by one space ('' when none). */
  readonly comment: string;
  /** The line as given, trimmed. */
  readonly line: string;
}

/** Split on blanks outside double quotes (options like command="a b" hold blanks). */
function words(line: string): Array<{ text: string; start: number }> {
  const out: Array<{ text: string; start: number }> = [];
  let i = 0;
  while (i < line.length) {
    while (i < line.length && /\s/.test(line[i] ?? '')) i++;
    if (i >= line.length) break;
    const start = i;
    let quoted = false;
    while (i < line.length && (quoted || !/\s/.test(line[i] ?? ''))) {
      if (line[i] === '\\' && quoted) i++;
      else if (line[i] === '"') quoted = !quoted;
      i++;
    }
    out.push({ text: line.slice(start, i), start });
  }
  return out;
}

/** The key on a line, or undefined for a blank, a comment or a line that holds no valid key. */
export function parseKeyLine(raw: string): AuthorizedKey | undefined {
  const line = raw.trim();
  if (line === '' || line.startsWith('#')) return undefined;
  const parts = words(line);
  const at = parts.findIndex((part) => KEY_TYPES.has(part.text));
  const type = parts[at];
  const blob = parts[at + 1];
  if (at < 0 || !type || !blob || !BASE64.test(blob.text)) return undefined;
  return {
    options: line.slice(0, type.start).trim(),
    type: type.text,
    blob: blob.text,
    comment: parts
      .slice(at + 2)
      .map((part) => part.text)
      .join(' '),
    line,
  };
}

export function keyIdentity(key: AuthorizedKey): string {
  return `${key.type} ${key.blob}`;
}

/** A short name for a key in messages: type, the blob's last characters, the comment. */
export function describeKey(key: AuthorizedKey): string {
  return `${key.type} ...${key.blob.slice(-8)}${key.comment ? ` ${key.comment}` : ''}`;
}

export interface KeysEdit {
  readonly text: string;
  /** What changed, one entry per key: "add ...", "replace ...", "remove ...". */
  readonly changes: string[];
}

/**
 * The file's new text. present: each wanted key is added at the end, or replaces the line holding
 * the same key when options or comment differ. absent: every line holding a wanted key goes.
 * exclusive (present only): the file ends up holding exactly the wanted keys, as Ansible's does
 * (other keys, comments and blank lines are dropped).
 */
export function editAuthorizedKeys(current: string, wanted: readonly AuthorizedKey[], state: 'present' | 'absent', exclusive: boolean): KeysEdit {
  const lines = current === '' ? [] : current.replace(/\n$/, '').split('\n');
  const ids = new Set(wanted.map(keyIdentity));
  const changes: string[] = [];
  if (state === 'absent') {
    const kept = lines.filter((line) => {
      const key = parseKeyLine(line);
      if (key && ids.has(keyIdentity(key))) {
        changes.push(`remove ${describeKey(key)}`);
        return false;
      }
      return true;
    });
    return { text: changes.length ? render(kept) : current, changes };
  }
  const out: string[] = [];
  const seen = new Set<string>();
  let dropped = 0;
  for (const line of lines) {
    const key = parseKeyLine(line);
    const id = key ? keyIdentity(key) : undefined;
    const want = id === undefined ? undefined : wanted.find((w) => keyIdentity(w) === id);
    if (key && want) {
      if (seen.has(id ?? '')) {
        changes.push(`remove duplicate ${describeKey(key)}`);
        continue;
      }
      seen.add(id ?? '');
      if (want.options !== key.options || want.comment !== key.comment) {
        changes.push(
          `replace ${describeKey(key)}${want.options !== key.options ? ` (options ${JSON.stringify(key.options)} -> ${JSON.stringify(want.options)})` : ` (comment -> ${JSON.stringify(want.comment)})`}`,
        );
        out.push(want.line);
      } else {
        out.push(line);
      }
    } else if (exclusive) {
      if (key) changes.push(`remove ${describeKey(key)} (exclusive)`);
      else dropped++;
    } else {
      out.push(line);
    }
  }
  if (dropped) changes.push(`drop ${dropped} comment or blank line${dropped > 1 ? 's' : ''} (exclusive)`);
  for (const want of wanted) {
    const id = keyIdentity(want);
    if (seen.has(id)) continue;
    seen.add(id);
    changes.push(`add ${describeKey(want)}`);
    out.push(want.line);
  }
  return { text: changes.length ? render(out) : current, changes };
}

function render(lines: string[]): string {
  return lines.length ? `${lines.join('\n')}\n` : '';
}
