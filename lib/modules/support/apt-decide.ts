import { isInstalled, type AptFacts } from './apt-facts.ts';

export type AptState = 'present' | 'absent' | 'latest';

/** What apt-get must do for the named packages. */
export interface PackageDecision {
  /** Not installed: name and the version apt would install (undefined: not known before a cache update). */
  readonly install: Array<{ name: string; version?: string }>;
  /** Installed, with a newer candidate (state latest). */
  readonly upgrade: Array<{ name: string; from: string; to: string }>;
  /** Installed (or, with purge, its config files left): name and installed version. */
  readonly remove: Array<{ name: string; version?: string }>;
  /** Wanted but apt knows no candidate for them. */
  readonly unknown: Array<{ name: string; virtual: boolean }>;
}

export function decidePackages(facts: AptFacts, names: readonly string[], state: AptState, purge: boolean): PackageDecision {
  const decision: PackageDecision = { install: [], upgrade: [], remove: [], unknown: [] };
  for (const name of names) {
    const pkg = facts.packages.get(name);
    if (!pkg) throw new Error(`no facts for package ${name}`);
    if (state === 'absent') {
      if (isInstalled(pkg) || (pkg.status !== 'not-installed' && (purge || pkg.status !== 'config-files'))) {
        decision.remove.push({ name, ...(pkg.version ? { version: pkg.version } : {}) });
      }
      continue;
    }
    if (!isInstalled(pkg)) {
      if (pkg.candidate === undefined) decision.unknown.push({ name, virtual: pkg.known });
      else decision.install.push({ name, version: pkg.candidate });
    } else if (state === 'latest' && pkg.candidate !== undefined && pkg.version !== undefined && pkg.candidate !== pkg.version) {
      decision.upgrade.push({ name, from: pkg.version, to: pkg.candidate });
    }
  }
  return decision;
}

export function hasWork(decision: PackageDecision): boolean {
  return decision.install.length + decision.upgrade.length + decision.remove.length > 0;
}

/** "install curl 7.88.1-10; upgrade jq 1.6 -> 1.7" */
export function describeDecision(decision: PackageDecision, purge: boolean): string {
  const parts: string[] = [];
  if (decision.install.length) parts.push(`install ${decision.install.map((p) => (p.version ? `${p.name} ${p.version}` : p.name)).join(', ')}`);
  if (decision.upgrade.length) parts.push(`upgrade ${decision.upgrade.map((p) => `${p.name} ${p.from} -> ${p.to}`).join(', ')}`);
  if (decision.remove.length) parts.push(`${purge ? 'purge' : 'remove'} ${decision.remove.map((p) => (p.version ? `${p.name} ${p.version}` : `${p.name} (config files)`)).join(', ')}`);
  return parts.join('; ');
}

/** What apt-get printed it did: "Setting up x (1.0) ...", "Removing x (1.0) ...". */
export function parseAptOutput(stdout: string): { installed: Record<string, string>; removed: string[] } {
  const installed: Record<string, string> = {};
  const removed: string[] = [];
  for (const line of stdout.split('\n')) {
    const setUp = /^Setting up ([^ :]+)(?::\S+)? \(([^)]+)\)/.exec(line);
    if (setUp?.[1] && setUp[2]) installed[setUp[1]] = setUp[2];
    const gone = /^(?:Removing|Purging configuration files for) ([^ :]+)(?::\S+)? \(/.exec(line);
    if (gone?.[1] && !removed.includes(gone[1])) removed.push(gone[1]);
  }
  return { installed, removed };
}

/** "3 h", "12 min", "40 s": how old the package lists are, for messages. */
export function formatAge(seconds: number): string {
  if (seconds >= 7200) return `${Math.round(seconds / 3600)} h`;
  if (seconds >= 120) return `${Math.round(seconds / 60)} min`;
  return `${seconds} s`;
}
