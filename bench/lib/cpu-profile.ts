/** The parts of V8's .cpuprofile (node --cpu-prof) this summary reads. */
export interface CpuProfile {
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number } }>;
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface ProfileSummary {
  totalMs: number;
  /** Time by where the code lives: idle (waiting on I/O), ploy's lib/, ssh2, tsx/esbuild (loading TypeScript), node internals, gc... */
  byArea: Array<{ area: string; ms: number }>;
  /** The functions that ran longest themselves (self time), idle and program left out. */
  topFunctions: Array<{ name: string; where: string; ms: number }>;
}

/** Which part of the process a frame belongs to, from its script URL. */
export function areaOf(functionName: string, url: string): string {
  if (functionName === '(idle)') return 'idle (waiting for I/O)';
  if (functionName === '(garbage collector)') return 'garbage collection';
  if (functionName === '(program)' || functionName === '(root)') return 'V8 / native (program)';
  if (/node_modules\/(tsx|esbuild|get-tsconfig)\//.test(url)) return 'tsx / esbuild (loading TypeScript)';
  if (/node_modules\/\.cache\/ploy\//.test(url)) return 'the bundled play (bin/ploy)';
  if (/node_modules\/ssh2\//.test(url)) return 'ssh2';
  if (/node_modules\//.test(url)) return `node_modules/${/node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1] ?? '?'}`;
  if (url.startsWith('node:') || url === '') return 'node internals';
  if (/\/lib\//.test(url)) return 'ploy lib/';
  if (/\/bench\//.test(url)) return 'bench play';
  return 'other';
}

/** Self time per sample, summed by area and by function. */
export function summarizeProfile(profile: CpuProfile, top = 15): ProfileSummary {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const byArea = new Map<string, number>();
  const byFunction = new Map<string, { name: string; where: string; ms: number }>();
  profile.samples.forEach((id, i) => {
    const node = nodes.get(id);
    if (!node) return;
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    const { functionName, url, lineNumber } = node.callFrame;
    const area = areaOf(functionName, url);
    byArea.set(area, (byArea.get(area) ?? 0) + ms);
    if (functionName.startsWith('(')) return;
    const where = `${url.replace(/^.*\/(node_modules\/|lib\/|bench\/)/, '$1')}:${lineNumber + 1}`;
    const key = `${functionName}@${where}`;
    const entry = byFunction.get(key) ?? { name: functionName || '(anonymous)', where, ms: 0 };
    entry.ms += ms;
    byFunction.set(key, entry);
  });
  return {
    totalMs: (profile.endTime - profile.startTime) / 1000,
    byArea: [...byArea].map(([area, ms]) => ({ area, ms })).sort((a, b) => b.ms - a.ms),
    topFunctions: [...byFunction.values()].sort((a, b) => b.ms - a.ms).slice(0, top),
  };
}

/** Remote commands per host and their summed time, from ploy's -v output (`  [host] rc=0 12ms $ cmd`). */
export function commandsPerHost(output: string): Record<string, { commands: number; ms: number }> {
  const perHost: Record<string, { commands: number; ms: number }> = {};
  for (const line of output.split('\n')) {
    const match = /^\s+\[([^\]]+)\] rc=-?\d+ (\S+) \$ /.exec(line);
    if (!match || match[2] === '(batched)') continue;
    const entry = (perHost[match[1] as string] ??= { commands: 0, ms: 0 });
    entry.commands++;
    entry.ms += durationMs(match[2] as string);
  }
  return perHost;
}

/** ploy's durations ("850ms", "12.3s", "2m05.0s") in milliseconds. */
export function durationMs(text: string): number {
  const match = /^(?:(\d+)m)?([\d.]+)(ms|s)$/.exec(text);
  if (!match) return 0;
  const minutes = Number(match[1] ?? 0);
  const value = Number(match[2]);
  return minutes * 60_000 + (match[3] === 's' ? value * 1000 : value);
}
