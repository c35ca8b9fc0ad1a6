/**
 * sysctl keys and sysctl.d files as sysctl(8) and systemd-sysctl read them: dots separate the
 * parts of a key (a slash stands for a dot inside a part, as in an interface named eth0.1), or,
 * when the first separator is a slash, slashes do and dots are literal.
 */

/** The key in dotted form: 'net/ipv4/ip_forward' -> 'net.ipv4.ip_forward'. */
export function canonicalKey(name: string): string {
  const slash = name.indexOf('/');
  const dot = name.indexOf('.');
  if (slash >= 0 && (dot < 0 || slash < dot)) return swapSeparators(name);
  return name;
}

function swapSeparators(name: string): string {
  return name.replace(/[./]/g, (c) => (c === '.' ? '/' : '.'));
}

/** Where the kernel shows the key: 'net.ipv4.conf.eth0/1.forwarding' -> /proc/sys/net/ipv4/conf/eth0.1/forwarding. */
export function procPath(name: string): string {
  return `/proc/sys/${swapSeparators(canonicalKey(name))}`;
}

/** Values compare with their blanks squeezed: /proc prints tabs where a file has spaces. */
export function normalValue(value: string): string {
  return value.trim().split(/\s+/).join(' ');
}

export interface ConfEdit {
  readonly text: string;
  /** The value the file held for the key before (its last setting wins, as at boot); undefined when none. */
  readonly before: string | undefined;
  readonly changed: boolean;
}

/**
 * Set (value given) or remove (undefined) a key in a sysctl.d file. The first line for the key is
 * rewritten only when its value differs, later lines for it are removed, a missing key is
 * appended; comments and other keys are left as they are.
 */
export function editSysctlConf(current: string, name: string, value: string | undefined): ConfEdit {
  const key = canonicalKey(name);
  const lines = current === '' ? [] : current.replace(/\n$/, '').split('\n');
  const out: string[] = [];
  let before: string | undefined;
  let placed = false;
  let changed = false;
  for (const line of lines) {
    const setting = parseSetting(line);
    if (!setting || setting.key !== key) {
      out.push(line);
      continue;
    }
    before = setting.value;
    if (value === undefined || placed) {
      changed = true;
      continue;
    }
    placed = true;
    if (normalValue(setting.value) === normalValue(value)) {
      out.push(line);
    } else {
      out.push(`${key} = ${value}`);
      changed = true;
    }
  }
  if (value !== undefined && !placed) {
    out.push(`${key} = ${value}`);
    changed = true;
  }
  if (!changed) return { text: current, before, changed };
  return { text: out.length ? `${out.join('\n')}\n` : '', before, changed };
}

/** `key = value` (a leading '-' means "ignore a failure" to systemd-sysctl); undefined for comments and blanks. */
function parseSetting(line: string): { key: string; value: string } | undefined {
  const trimmed = line.trim();
  if (trimmed === '' || trimmed.startsWith('#') || trimmed.startsWith(';')) return undefined;
  const at = trimmed.indexOf('=');
  if (at < 0) return undefined;
  const key = trimmed.slice(0, at).trim().replace(/^-/, '');
  return { key: canonicalKey(key), value: trimmed.slice(at + 1).trim() };
}
