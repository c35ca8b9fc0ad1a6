/**
 * The operator's authorized_keys from the `operator_authorized_keys` variable: a list of OpenSSH
 * public key lines, checked on the controller (a truncated or mistyped key would lock the operator
 * out only once sshd stops taking passwords).
 */
import { InputError } from '../../lib/index.ts';

export const KEYS_VAR = 'operator_authorized_keys';

const KEY_TYPES = ['ssh-ed25519', 'ssh-rsa', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521', 'sk-ssh-ed25519@openssh.com', 'sk-ecdsa-sha2-nistp256@openssh.com'];
const TYPE_AND_BLOB = /(?:^|\s)(\S+)\s+([A-Za-z0-9+/]+={0,2})(?:\s|$)/g;

/** The file's text: the keys in the given order, one per line. */
export function authorizedKeysFile(value: unknown, host: string): string {
  const where = { host, field: KEYS_VAR };
  if (!Array.isArray(value) || value.length === 0) {
    const hint = typeof value === 'string' ? ' (a YAML list, even for one key)' : '';
    throw new InputError(`variable "${KEYS_VAR}" must be a non-empty list of public key lines${hint}: the operator logs in with these, passwords are turned off`, where);
  }
  const seen = new Map<string, number>();
  const lines = value.map((entry: unknown, index) => {
    if (typeof entry !== 'string' || entry.trim() === '' || /[\r\n]/.test(entry.trim())) {
      throw new InputError(`variable "${KEYS_VAR}"[${index}] must be one public key line, got ${typeof entry === 'string' ? JSON.stringify(entry.slice(0, 60)) : typeof entry}`, where);
    }
    const line = entry.trim();
    const blob = keyBlob(line);
    if (!blob) {
      throw new InputError(
        `variable "${KEYS_VAR}"[${index}] is not an OpenSSH public key line ("[options] TYPE BASE64 [comment]", TYPE one of ${KEY_TYPES.join(', ')}): ${JSON.stringify(line.length > 60 ? `${line.slice(0, 60)}...` : line)}`,
        where,
      );
    }
    const earlier = seen.get(blob);
    if (earlier !== undefined) throw new InputError(`variable "${KEYS_VAR}"[${index}] is the same key as [${earlier}]`, where);
    seen.set(blob, index);
    return line;
  });
  return `${lines.join('\n')}\n`;
}

/** The base64 key of a line whose blob really encodes its stated type (catches a truncated or mixed-up paste). */
function keyBlob(line: string): string | undefined {
  for (const match of line.matchAll(TYPE_AND_BLOB)) {
    const [, type = '', blob = ''] = match;
    if (!KEY_TYPES.includes(type)) continue;
    const bytes = Buffer.from(blob, 'base64');
    if (bytes.length < 4) return undefined;
    const length = bytes.readUInt32BE(0);
    return bytes.subarray(4, 4 + length).toString('latin1') === type && bytes.length > 4 + length ? blob : undefined;
  }
  return undefined;
}
