import { InputError, ModuleArgsError, TaskFailedError } from '../../errors.ts';
import { isSecret, type Secret } from '../../secret.ts';
import type { Vars } from '../../vars.ts';

/** A host variable: a base URL that replaces the origin of every download URL (an internal mirror). */
export const MIRROR_VAR = 'ploy_download_mirror';
/** A host variable: the HTTP(S) proxy downloads go through (it may hold credentials: a Secret is fine). */
export const PROXY_VAR = 'ploy_http_proxy';

export const SHA256_HEX = /^[0-9a-f]{64}$/;

/** Where and how one download goes, after the host's mirror and proxy variables. */
export interface DownloadRoute {
  readonly url: string;
  readonly proxy?: string | Secret | undefined;
}

export function requireHttpUrl(value: unknown, field: string): string {
  if (typeof value !== 'string' || value === '') throw new ModuleArgsError(`must be an http:// or https:// URL, got ${typeof value === 'string' ? 'an empty string' : typeof value}`, { field });
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new ModuleArgsError(`not a valid URL: ${JSON.stringify(value)}`, { field });
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new ModuleArgsError(`must be an http:// or https:// URL, got ${JSON.stringify(value)}`, { field });
  if (/[\x00-\x20\x7f]/.test(value)) throw new ModuleArgsError(`must not contain spaces or control characters: ${JSON.stringify(value)}`, { field });
  return value;
}

export function requireSha256(value: unknown, field: string): string {
  if (typeof value !== 'string' || !SHA256_HEX.test(value.toLowerCase())) {
    throw new ModuleArgsError(`must be a sha256 as 64 hex digits, got ${JSON.stringify(value)}`, { field });
  }
  return value.toLowerCase();
}

/**
 * The URL with its origin (scheme, host, port) replaced by the mirror base; the path and query are
 * kept: mirror http://m:8080/cache + https://github.com/k3s-io/k3s/x -> http://m:8080/cache/k3s-io/k3s/x.
 */
export function mirrored(url: string, mirror: string | undefined): string {
  if (mirror === undefined || mirror === '') return url;
  const parsed = new URL(url);
  return `${mirror.replace(/\/+$/, '')}${parsed.pathname}${parsed.search}`;
}

/** The host's mirror and proxy variables, checked (a bad value is an input error naming the variable). */
export function downloadVars(vars: Vars, host: string): { mirror?: string; proxy?: string | Secret } {
  const mirror = vars[MIRROR_VAR];
  const proxy = vars[PROXY_VAR];
  const out: { mirror?: string; proxy?: string | Secret } = {};
  if (mirror !== undefined && mirror !== null && mirror !== '') {
    try {
      out.mirror = requireHttpUrl(mirror, MIRROR_VAR);
    } catch (error) {
      throw new InputError(`variable "${MIRROR_VAR}" ${(error as InputError).reason}`, { host, field: MIRROR_VAR });
    }
  }
  if (proxy !== undefined && proxy !== null && proxy !== '') {
    if (typeof proxy !== 'string' && !isSecret(proxy)) throw new InputError(`variable "${PROXY_VAR}" must be a URL string`, { host, field: PROXY_VAR });
    const text = typeof proxy === 'string' ? proxy : proxy.reveal();
    if (!/^https?:\/\/\S+$/.test(text)) throw new InputError(`variable "${PROXY_VAR}" must be an http:// or https:// URL without spaces`, { host, field: PROXY_VAR });
    out.proxy = proxy;
  }
  return out;
}

/**
 * The sha256 for `url` in a checksum file as sha256sum writes it ("HEX  name" or "HEX *name",
 * one per line), or the only hash of a file that holds just one. Names match by the URL's last
 * path segment, with or without a leading ./ or directory.
 */
export function checksumFor(text: string, url: string, checksumUrl: string): string {
  const name = decodeURIComponent(new URL(url).pathname.split('/').pop() ?? '');
  const entries: Array<{ hash: string; file?: string }> = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([0-9a-fA-F]{64})(?:\s+\*?(.+))?$/.exec(line);
    if (m) entries.push({ hash: (m[1] ?? '').toLowerCase(), ...(m[2] ? { file: m[2].trim() } : {}) });
  }
  const named = entries.find((e) => e.file !== undefined && (e.file === name || e.file.split('/').pop() === name));
  if (named) return named.hash;
  if (entries.length === 1 && entries[0]) return entries[0].hash;
  throw new TaskFailedError(
    entries.length === 0
      ? `the checksum file ${checksumUrl} holds no sha256 (64 hex digits)`
      : `the checksum file ${checksumUrl} has ${entries.length} sha256 lines and none for ${JSON.stringify(name)}`,
  );
}
