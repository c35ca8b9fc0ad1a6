/**
 * A .tar.gz written byte for byte the same every time (ustar, owner root, mtime 0, gzip without a
 * name or time), so a release artifact built twice has one sha256.
 */
import { gzipSync } from 'node:zlib';

export interface TarEntry {
  /** A path inside the archive; a directory ends with '/'. */
  path: string;
  data?: Buffer;
  mode?: number;
}

const BLOCK = 512;

export function tarGz(entries: TarEntry[]): Buffer {
  const blocks: Buffer[] = [];
  for (const entry of entries) {
    const directory = entry.path.endsWith('/');
    const data = directory ? Buffer.alloc(0) : (entry.data ?? Buffer.alloc(0));
    blocks.push(header(entry.path, data.length, entry.mode ?? (directory ? 0o755 : 0o644), directory));
    blocks.push(data, Buffer.alloc((BLOCK - (data.length % BLOCK)) % BLOCK));
  }
  blocks.push(Buffer.alloc(2 * BLOCK));
  return gzipSync(Buffer.concat(blocks), { level: 9 });
}

function header(path: string, size: number, mode: number, directory: boolean): Buffer {
  if (Buffer.byteLength(path) > 100) throw new Error(`tarGz: path ${path} is longer than ustar's 100 bytes`);
  const block = Buffer.alloc(BLOCK);
  block.write(path, 0, 100, 'utf8');
  block.write(octal(mode, 7), 100);
  block.write(octal(0, 7), 108);
  block.write(octal(0, 7), 116);
  block.write(octal(size, 11), 124);
  block.write(octal(0, 11), 136);
  block.write('        ', 148);
  block.write(directory ? '5' : '0', 156);
  block.write('ustar\u000000', 257);
  block.write('root', 265);
  block.write('root', 297);
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(`${sum.toString(8).padStart(6, '0')}\u0000 `, 148);
  return block;
}

function octal(value: number, digits: number): string {
  return `${value.toString(8).padStart(digits, '0')}\u0000`;
}
