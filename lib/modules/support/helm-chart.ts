import { parse } from 'yaml';
import { ModuleArgsError, TaskFailedError } from '../../errors.ts';
import { sameVersion, type HelmProbe } from '../../k8s/helm-release.ts';

/**
 * The chart forms helm takes (pkg/action/install.go LocateChart), narrowed to those that mean one
 * thing on any host: an absolute path, repo/name, a bare name with repo, or oci://.../name.
 */
export function validateChart(chart: string, hasRepo: boolean): void {
  const fail = (message: string) => new ModuleArgsError(message, { field: 'chart' });
  if (chart.startsWith('oci://')) {
    if (/[:@]/.test(chart.slice(chart.lastIndexOf('/') + 1))) throw fail('give the chart version in version, not as a tag or digest of the oci:// reference');
    return;
  }
  if (chart.startsWith('/')) {
    if (hasRepo) throw fail('a chart path on the host needs no repo (helm would use the path and ignore --repo); drop repo');
    return;
  }
  if (chart.startsWith('.')) throw fail(`a chart path must be absolute on the host, got ${JSON.stringify(chart)}`);
  const parts = chart.split('/');
  if (parts.length > 2 || parts.some((p) => p === '')) throw fail(`must be a chart name, repo/name, oci://... or an absolute path, got ${JSON.stringify(chart)}`);
  if (parts.length === 1 && !hasRepo)
    throw fail(
      `chart ${JSON.stringify(chart)} names no repository: give repo: { name, url }, or 'repo/${chart}' for a repository the host has added (helm: "non-absolute URLs should be in form of repo_name/path_to_chart")`,
    );
}

/**
 * What Chart.yaml of a chart on the host says (helm show chart): helm records its name and version,
 * whatever the file is called, and installs a path as it is, ignoring --version: a path holding
 * another version than the one pinned fails here. 'absent' when the path is not there (yet).
 */
export function chartOnHost(probe: HelmProbe, args: { readonly chart: string; readonly version: string }): { name: string; version: string } | 'absent' {
  const shown = probe.chart;
  if (!shown || shown.rc !== 0) {
    if (shown && /path "[^"]*" not found/.test(shown.stderr)) return 'absent';
    throw new TaskFailedError(`helm show chart ${args.chart} failed (rc=${shown?.rc ?? '?'})${shown?.stderr ? `: ${shown.stderr}` : ''}`);
  }
  const meta = parse(shown.stdout, { version: '1.1' }) as { name?: unknown; version?: unknown } | null;
  const name = typeof meta?.name === 'string' ? meta.name : undefined;
  const version = meta?.version === undefined || meta.version === null ? undefined : String(meta.version);
  if (!name || !version) throw new TaskFailedError(`chart ${args.chart}: its Chart.yaml names no chart name and version`);
  if (!sameVersion(version, args.version)) {
    throw new TaskFailedError(
      `chart ${args.chart} is version ${version} (its Chart.yaml), not ${args.version}: helm installs a chart path as it is and ignores --version; pin ${version} or put chart ${args.version} there`,
    );
  }
  return { name, version };
}

/** The chart as helm upgrade takes it, and its name as helm list shows it (read from Chart.yaml for a path). */
export function chartOf(args: { readonly chart: string; readonly repo?: { readonly name: string } | undefined }): { ref: string; name: string; path: boolean } {
  if (args.chart.startsWith('/')) return { ref: args.chart, name: '', path: true };
  const ref = args.repo && args.chart.startsWith(`${args.repo.name}/`) ? args.chart.slice(args.repo.name.length + 1) : args.chart;
  // A repository's index and an OCI registry name the chart by its Chart.yaml name (helm repo index, helm push).
  return { ref, name: ref.slice(ref.lastIndexOf('/') + 1), path: false };
}
