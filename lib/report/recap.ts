import type { HostStats } from '../runner/events.ts';
import { formatSeconds } from './format.ts';
import type { Paint, Palette } from './terminal.ts';

const COUNTERS = ['ok', 'changed', 'unreachable', 'failed', 'skipped'] as const;
type Counter = (typeof COUNTERS)[number];

/** Hosts in the order the play listed them, then any others by name. */
export function orderHosts(names: Iterable<string>, playOrder: readonly string[]): string[] {
  const known = new Set(names);
  const ordered = playOrder.filter((h) => known.has(h));
  const listed = new Set(ordered);
  return [...ordered, ...[...known].filter((h) => !listed.has(h)).sort()];
}

function counterPaint(counter: Counter, value: number, colors: Palette): Paint {
  if (value === 0) return (text) => text;
  switch (counter) {
    case 'ok':
      return colors.green;
    case 'changed':
      return colors.yellow;
    case 'skipped':
      return colors.cyan;
    case 'unreachable':
    case 'failed':
      return colors.red;
  }
}

function hostPaint(stats: HostStats, colors: Palette): Paint {
  if (stats.failed > 0 || stats.unreachable > 0) return colors.red;
  if (stats.changed > 0) return colors.yellow;
  return colors.green;
}

/**
 * The recap lines, aligned in columns:
 * `web1  : ok=3  changed=1 unreachable=0 failed=0 skipped=0  (12.3s)`.
 * Widths are measured on the plain text, then colour is wrapped around each cell.
 */
export function formatRecap(stats: Readonly<Record<string, HostStats>>, playOrder: readonly string[], colors: Palette): string[] {
  const hosts = orderHosts(Object.keys(stats), playOrder);
  const hostWidth = Math.max(0, ...hosts.map((h) => h.length));
  const cells = (host: string): string[] => COUNTERS.map((c) => `${c}=${stats[host]?.[c] ?? 0}`);
  const widths = COUNTERS.map((_, i) => Math.max(0, ...hosts.map((h) => cells(h)[i]?.length ?? 0)));

  return hosts.map((host) => {
    const hostStats = stats[host] as HostStats;
    const counters = COUNTERS.map((counter, i) => {
      const text = cells(host)[i] ?? '';
      const pad = ' '.repeat((widths[i] ?? 0) - text.length);
      return counterPaint(counter, hostStats[counter], colors)(text) + pad;
    });
    const time = `(${formatSeconds(hostStats.elapsedMs)})`;
    const name = hostPaint(hostStats, colors)(host) + ' '.repeat(hostWidth - host.length);
    return `${name} : ${counters.join(' ')}  ${time}`;
  });
}
