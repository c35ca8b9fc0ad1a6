/** Median, least and greatest of some measurements. */
export interface Spread {
  median: number;
  min: number;
  max: number;
  n: number;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

export function spread(values: readonly number[]): Spread {
  return { median: median(values), min: Math.min(...values), max: Math.max(...values), n: values.length };
}

/** One measured pair: the two tools run back to back on the same hosts in the same state. */
export interface Pair {
  ployMs: number;
  ansibleMs: number;
}

export interface PairSummary {
  ploy: Spread;
  ansible: Spread;
  /** ploy/Ansible time, pair by pair: below 1 means ploy was faster. */
  ratio: Spread;
  /** Ansible/ploy time, pair by pair: how many times faster ploy was. */
  speedup: Spread;
}

/** Ratios are taken within each pair (same minute, same machine load), then summarised. */
export function summarizePairs(pairs: readonly Pair[]): PairSummary {
  return {
    ploy: spread(pairs.map((p) => p.ployMs)),
    ansible: spread(pairs.map((p) => p.ansibleMs)),
    ratio: spread(pairs.map((p) => p.ployMs / p.ansibleMs)),
    speedup: spread(pairs.map((p) => p.ansibleMs / p.ployMs)),
  };
}
