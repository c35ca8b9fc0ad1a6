import { createHash } from 'node:crypto';

/** The key type named inside an SSH public key blob (its first length-prefixed string), e.g. "ssh-ed25519". */
export function keyTypeOf(blob: Buffer): string {
  if (blob.length < 4) return 'unknown';
  const length = blob.readUInt32BE(0);
  if (length === 0 || length > 64 || 4 + length > blob.length) return 'unknown';
  return blob.subarray(4, 4 + length).toString('latin1');
}

/** OpenSSH's fingerprint: "SHA256:" and the unpadded base64 of the blob's SHA-256. */
export function fingerprintOf(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/** "ssh-ed25519 SHA256:…", as messages show a key. */
export function describeKey(blob: Buffer): string {
  return `${keyTypeOf(blob)} ${fingerprintOf(blob)}`;
}
