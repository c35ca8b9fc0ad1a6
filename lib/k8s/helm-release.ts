import { quote } from '../shell.ts';

/** Which release on which cluster. */
export interface HelmTarget {
  readonly release: string;
  readonly namespace: string;
  readonly kubeconfig?: string | undefined;
}

/** One entry of `helm list -o json`. */
export interface DeployedRelease {
  readonly name: string;
  readonly namespace: string;
  /** "<chart name>-<chart version>", as helm list prints it. */
  readonly chart: string;
  readonly status: string;
  readonly revision: string;
  /** When the release's last revision was written: "2026-01-01 10:00:00.000000000 +0000 UTC". */
  readonly updated: string;
}

/** One command's answer inside the probe. */
export interface Section {
  readonly rc: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** The probe's answers: Chart.yaml of a chart path (when the chart is one), the list entry, the values. */
export interface HelmProbe {
  readonly chart?: Section;
  readonly list: Section;
  /** Absent when helm list failed (then helm get values is not asked). */
  readonly values?: Section;
}

const SECTION = '@@ploy-section=';
const RC = '@@ploy-rc=';

function targetFlags(target: HelmTarget): string[] {
  return [`--namespace=${quote(target.namespace)}`, ...(target.kubeconfig ? [`--kubeconfig=${quote(target.kubeconfig)}`] : [])];
}

/** A command whose stdout and stderr are each marked with the section's name, and its exit status after. */
function section(name: string, command: string, rcVariable: string): string[] {
  return [`printf '${SECTION}${name}\\n'; printf '${SECTION}${name}\\n' >&2`, `${command}; ${rcVariable}=$?`, `printf '\\n${RC}%s\\n' "$${rcVariable}"`];
}

/**
 * ONE remote command answering everything the helm module compares: `helm show chart PATH` for a
 * chart on the host (its Chart.yaml: the name and version helm will record; no cluster needed),
 * `helm list` (all states) filtered to the release, then, when the list answered, `helm get values`
 * (which fails when there is no such release: data, not an error). Every failure is data here; the
 * module decides what each means.
 */
export function helmProbeScript(target: HelmTarget, chartPath?: string): string {
  const filter = `^${target.release.replace(/\./g, '\\.')}$`;
  const flags = targetFlags(target).join(' ');
  return [
    ...(chartPath !== undefined ? section('chart', `helm show chart ${quote(chartPath)}`, 'crc') : []),
    ...section('list', `helm list ${flags} --all --output=json --filter=${quote(filter)}`, 'lrc'),
    `if [ "$lrc" -eq 0 ]; then`,
    ...section('values', `helm get values ${quote(target.release)} ${flags} --output=json`, 'vrc'),
    'fi',
  ].join('\n');
}

function sections(text: string): Map<string, string> {
  const out = new Map<string, string>();
  const parts = text.split(new RegExp(`^${SECTION}`, 'm')).slice(1);
  for (const part of parts) {
    const newline = part.indexOf('\n');
    out.set(part.slice(0, newline), part.slice(newline + 1));
  }
  return out;
}

/** Split helmProbeScript's output into its sections; throws an Error when a section is missing. */
export function splitHelmProbe(stdout: string, stderr: string): HelmProbe {
  const outs = sections(stdout);
  const errs = sections(stderr);
  const get = (name: string): Section | undefined => {
    const out = outs.get(name);
    if (out === undefined) return undefined;
    const at = out.lastIndexOf(`\n${RC}`);
    if (at === -1) throw new Error(`the helm probe printed no exit status for ${name}`);
    return { rc: Number(out.slice(at + RC.length + 1).trim()), stdout: out.slice(0, at), stderr: (errs.get(name) ?? '').trim() };
  };
  const list = get('list');
  if (!list) throw new Error('the helm probe printed something unexpected');
  const chart = get('chart');
  const values = get('values');
  return { list, ...(chart ? { chart } : {}), ...(values ? { values } : {}) };
}

/** The release's entry in a successful helm list, or undefined when there is none. */
export function releaseEntry(list: Section, target: HelmTarget): DeployedRelease | undefined {
  const text = list.stdout.trim();
  let parsed: unknown;
  try {
    parsed = text === '' ? [] : JSON.parse(text);
  } catch {
    throw new Error(`helm list did not print JSON: ${text.slice(0, 200)}`);
  }
  if (!Array.isArray(parsed)) throw new Error('helm list did not print a JSON list');
  const entry = (parsed as Array<Record<string, unknown>>).find((r) => r.name === target.release && (r.namespace === undefined || r.namespace === target.namespace));
  if (!entry) return undefined;
  return {
    name: String(entry.name),
    namespace: String(entry.namespace ?? target.namespace),
    chart: String(entry.chart ?? ''),
    status: String(entry.status ?? 'unknown'),
    revision: String(entry.revision ?? ''),
    updated: String(entry.updated ?? ''),
  };
}

/** The user-supplied values of an existing release, from helm get values. */
export function releaseValues(values: Section | undefined, target: HelmTarget): unknown {
  if (!values || values.rc !== 0) throw new Error(`helm get values ${target.release} failed (rc=${values?.rc ?? '?'}): ${values?.stderr ?? ''}`);
  const text = values.stdout.trim();
  try {
    return text === '' ? null : (JSON.parse(text) as unknown);
  } catch {
    throw new Error(`helm get values did not print JSON: ${text.slice(0, 200)}`);
  }
}

/** Chart versions compare without a leading v: charts are published as both 1.14.4 and v1.14.4. */
export function sameVersion(a: string, b: string): boolean {
  return a.replace(/^v/, '') === b.replace(/^v/, '');
}

/** What helm list's chart column holds for a chart name and version. */
export function chartColumn(name: string, version: string): string {
  return `${name}-${version}`;
}

/** Split helm list's "cert-manager-v1.14.4" knowing the name: its version, or undefined for another chart. */
export function deployedVersion(column: string, chartName: string): string | undefined {
  return column.startsWith(`${chartName}-`) ? column.slice(chartName.length + 1) : undefined;
}

export interface UpgradeOptions extends HelmTarget {
  /** The chart as helm upgrade takes it (a repo/chart, a chart name with --repo, an OCI reference, a path). */
  readonly chartRef: string;
  readonly version: string;
  readonly repoUrl?: string | undefined;
  readonly createNamespace: boolean;
  readonly wait: boolean;
  readonly timeoutS?: number | undefined;
}

/**
 * `helm upgrade --install` with the values as JSON on standard input (`-f -`), --reset-values so the
 * release's values become exactly these. Upgrading in place, never uninstall then install.
 */
export function upgradeCommand(options: UpgradeOptions): string {
  return [
    'helm upgrade --install',
    quote(options.release),
    quote(options.chartRef),
    `--version=${quote(options.version)}`,
    ...targetFlags(options),
    ...(options.createNamespace ? ['--create-namespace'] : []),
    ...(options.repoUrl ? [`--repo=${quote(options.repoUrl)}`] : []),
    '--reset-values',
    ...(options.wait ? ['--wait'] : []),
    ...(options.timeoutS !== undefined ? [`--timeout=${options.timeoutS}s`] : []),
    '-f -',
  ].join(' ');
}
