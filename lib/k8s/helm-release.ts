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
}

export interface HelmProbe {
  /** Absent: no release of that name in that namespace. */
  readonly release?: DeployedRelease;
  /** The user-supplied values of the release (helm get values), when it exists. */
  readonly values?: unknown;
}

const VALUES_MARK = '@@ploy-values';
const RC_MARK = '@@ploy-values-rc=';

function targetFlags(target: HelmTarget): string[] {
  return [`--namespace=${quote(target.namespace)}`, ...(target.kubeconfig ? [`--kubeconfig=${quote(target.kubeconfig)}`] : [])];
}

/**
 * ONE remote command that prints the release's list entry and its values: `helm list` (all states)
 * filtered to the release, then `helm get values` with its exit status (it fails when there is no
 * such release, which is data, not an error). Helm's warnings stay on stderr, out of the JSON.
 */
export function helmProbeScript(target: HelmTarget): string {
  const filter = `^${target.release.replace(/\./g, '\\.')}$`;
  return [
    `helm list ${targetFlags(target).join(' ')} --all --output=json --filter=${quote(filter)} || exit $?`,
    `printf '\\n${VALUES_MARK}\\n'`,
    `helm get values ${quote(target.release)} ${targetFlags(target).join(' ')} --output=json; rc=$?`,
    `printf '\\n${RC_MARK}%s\\n' "$rc"`,
  ].join('\n');
}

/** Parse helmProbeScript's output; throws an Error saying what was unreadable. */
export function parseHelmProbe(stdout: string, stderr: string, target: HelmTarget): HelmProbe {
  const mark = stdout.indexOf(`\n${VALUES_MARK}\n`);
  const rcAt = stdout.lastIndexOf(`\n${RC_MARK}`);
  if (mark === -1 || rcAt === -1 || rcAt < mark) throw new Error('the helm probe printed something unexpected');
  const listText = stdout.slice(0, mark).trim();
  const valuesText = stdout.slice(mark + VALUES_MARK.length + 2, rcAt).trim();
  const rc = Number(stdout.slice(rcAt + RC_MARK.length + 1).trim());
  let list: unknown;
  try {
    list = listText === '' ? [] : JSON.parse(listText);
  } catch {
    throw new Error(`helm list did not print JSON: ${listText.slice(0, 200)}`);
  }
  if (!Array.isArray(list)) throw new Error('helm list did not print a JSON list');
  const entry = (list as Array<Record<string, unknown>>).find((r) => r.name === target.release && (r.namespace === undefined || r.namespace === target.namespace));
  if (!entry) return {};
  const release: DeployedRelease = {
    name: String(entry.name),
    namespace: String(entry.namespace ?? target.namespace),
    chart: String(entry.chart ?? ''),
    status: String(entry.status ?? 'unknown'),
    revision: String(entry.revision ?? ''),
  };
  if (rc !== 0) throw new Error(`helm get values ${target.release} failed (rc=${rc}): ${stderr.trim()}`);
  try {
    return { release, values: valuesText === '' ? null : (JSON.parse(valuesText) as unknown) };
  } catch {
    throw new Error(`helm get values did not print JSON: ${valuesText.slice(0, 200)}`);
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
