/** Small pure text helpers shared by the reporters. */

/** "850ms", "12.3s", "2m05.0s". */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = ((ms % 60_000) / 1000).toFixed(1).padStart(4, '0');
  return `${minutes}m${seconds}s`;
}

/** Recap durations always in seconds, as Ansible users expect: "(0.4s)", "(12.3s)". */
export function formatSeconds(ms: number): string {
  return ms < 60_000 ? `${(Math.max(0, ms) / 1000).toFixed(1)}s` : formatDuration(ms);
}

/**
 * Cut text to at most maxBytes of UTF-8, never inside a character, and say how much was left out:
 * "…(1234 more bytes)". Mask secrets before truncating, so a cut never exposes part of one.
 */
export function truncateBytes(text: string, maxBytes: number): string {
  const total = Buffer.byteLength(text, 'utf8');
  if (total <= maxBytes) return text;
  let kept = Buffer.from(text, 'utf8').subarray(0, maxBytes).toString('utf8');
  if (kept.endsWith('\uFFFD')) kept = kept.slice(0, -1);
  const rest = total - Buffer.byteLength(kept, 'utf8');
  return `${kept}…(${rest} more bytes)`;
}

/** Prefix every line of text; a trailing newline does not make an empty last line. */
export function indentLines(text: string, prefix: string): string[] {
  const lines = text.replace(/\r\n/g, '\n').replace(/\n$/, '').split('\n');
  return lines.map((line) => (line ? prefix + line : prefix.trimEnd()));
}

/** Shorten a single line to width visible characters, ending with "…" when cut. */
export function fitWidth(line: string, width: number): string {
  const chars = [...line];
  if (chars.length <= width) return line;
  return chars.slice(0, Math.max(0, width - 1)).join('') + '…';
}

const BANNER_WIDTH = 72;

/** Ansible's section banner: "PLAY [site] ********". */
export function banner(title: string): string {
  const stars = Math.max(3, BANNER_WIDTH - title.length - 1);
  return `${title} ${'*'.repeat(stars)}`;
}
