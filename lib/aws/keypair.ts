/** OpenSSH public keys as EC2 imports them (RSA and Ed25519). */

export interface OpenSshPublicKey {
  readonly type: string;
  /** The base64 key blob, which identifies the key (the comment does not). */
  readonly blob: string;
  readonly comment: string;
}

const IMPORTABLE = new Set(['ssh-ed25519', 'ssh-rsa']);

/** Parse one "type base64 [comment]" line; the reason it is unusable otherwise. */
export function parsePublicKey(text: string): OpenSshPublicKey | { error: string } {
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  if (lines.length !== 1) return { error: `expected one OpenSSH public key line, found ${lines.length}` };
  const [type = '', blob = '', ...rest] = (lines[0] as string).split(/\s+/);
  if (type.includes('PRIVATE KEY') || type.startsWith('-----')) return { error: 'this is a private key; pass the .pub file' };
  if (!IMPORTABLE.has(type)) return { error: `key type "${type}" cannot be imported into EC2 (use ssh-ed25519 or ssh-rsa)` };
  const decoded = Buffer.from(blob, 'base64');
  if (!/^[A-Za-z0-9+/]+=*$/.test(blob) || embeddedType(decoded) !== type) return { error: `the ${type} key data is not valid base64 of a ${type} key` };
  return { type, blob, comment: rest.join(' ') };
}

/** The key type written at the start of an SSH key blob (uint32 length, then the name). */
function embeddedType(blob: Buffer): string | undefined {
  if (blob.length < 4) return undefined;
  const length = blob.readUInt32BE(0);
  return length > 0 && length < 64 && blob.length >= 4 + length ? blob.subarray(4, 4 + length).toString('latin1') : undefined;
}

/** Same key material, whatever the comments say. */
export function samePublicKey(a: string, b: string): boolean {
  const ka = parsePublicKey(a);
  const kb = parsePublicKey(b);
  if ('error' in ka || 'error' in kb) return a.trim() === b.trim();
  return ka.type === kb.type && ka.blob === kb.blob;
}
