import { stat, readFile } from 'node:fs/promises';

interface Cached {
  readonly ino: number;
  readonly size: number;
  readonly mtimeNs: bigint;
  readonly bytes: Promise<Buffer>;
}

const cache = new Map<string, Cached>();

/**
 * A controller file's bytes, read once per process while it stays the same file with the same size
 * and mtime (one stat instead of open/read/close): a copy source or a private key is read for
 * every host, twice with the preflight pass. A failed read is not kept.
 */
export async function readControllerFile(path: string): Promise<Buffer> {
  const info = await stat(path, { bigint: true });
  const cached = cache.get(path);
  if (cached && cached.ino === Number(info.ino) && cached.size === Number(info.size) && cached.mtimeNs === info.mtimeNs) return cached.bytes;
  const bytes = readFile(path);
  cache.set(path, { ino: Number(info.ino), size: Number(info.size), mtimeNs: info.mtimeNs, bytes });
  bytes.catch(() => cache.delete(path));
  return bytes;
}
