import { CommandError, ModuleArgsError, TaskFailedError } from '../errors.ts';
import { chartColumn, deployedVersion, helmProbeScript, releaseEntry, releaseValues, sameVersion, splitHelmProbe, upgradeCommand, type HelmProbe, type HelmTarget, type UpgradeOptions } from '../k8s/helm-release.ts';
import { historyCommand, lastGoodRevision, STUCK, stuckMessage } from '../k8s/helm-states.ts';
import { sameValues, valuesDiff } from '../k8s/helm-values.ts';
import { classifyKubectlFailure, errorLine } from '../k8s/kubectl-failure.ts';
import { toPlain } from '../k8s/plain.ts';
import { NAMESPACE } from '../k8s/prepare-objects.ts';
import { defineModule, type Change } from '../module.ts';
import { optionalAbsolutePath, optionalBoolean, optionalPositiveInteger, rejectControlCharacters, requireObject } from './support/args.ts';
import { chartOf, chartOnHost, validateChart } from './support/helm-chart.ts';
import { runChecked } from './support/run.ts';

export interface HelmArgs {
  /** The release name. */
  release: string;
  /**
   * 'traefik' (with repo), 'jetstack/cert-manager' (a repo the host has added, or with repo),
   * 'oci://registry/path/name', or an absolute path on the host (a chart directory or .tgz, whose
   * Chart.yaml names the chart).
   */
  chart: string;
  /** One exact chart version: '1.14.4' or 'v1.14.4'; never a range. A chart path must hold this version. */
  version: string;
  namespace: string;
  createNamespace?: boolean;
  /** The release's values; Secrets allowed anywhere (sent on stdin, hidden in diffs). */
  values?: Record<string, unknown>;
  /** The chart repository, passed as --repo (no `helm repo add` state on the host). */
  repo?: { name: string; url: string };
  /** A kubeconfig on the host; default: helm's own. */
  kubeconfig?: string;
  /** helm --wait: until the release's resources are ready (else the release is failed). */
  wait?: boolean;
  /** helm --timeout, seconds: how long --wait (and hooks) may take; helm's default is 5 minutes. */
  timeoutS?: number;
}

export interface HelmData {
  release: string;
  namespace: string;
  /** "<chart>-<version>" as helm list shows it, after this task. */
  chart: string;
}

const KNOWN = ['release', 'chart', 'version', 'namespace', 'createNamespace', 'values', 'repo', 'kubeconfig', 'wait', 'timeoutS'] as const;
const RELEASE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const PINNED = /^v?\d+(\.\d+){0,2}([-+][0-9A-Za-z.+-]+)?$/;
const REPO_NAME = /^[A-Za-z0-9][-A-Za-z0-9_.]*$/;

/** Install or upgrade a Helm release; changed only when the chart version or the values differ. */
export const helm = defineModule<HelmArgs, HelmData>({
  name: 'helm',

  validate(args) {
    const raw = requireObject(args, KNOWN);
    if (typeof raw.release !== 'string' || raw.release.length > 53 || !RELEASE.test(raw.release)) {
      throw new ModuleArgsError(`must be a release name (lowercase letters, digits, - and ., at most 53 characters), got ${JSON.stringify(raw.release)}`, { field: 'release' });
    }
    if (typeof raw.chart !== 'string' || raw.chart === '' || /\s/.test(raw.chart)) throw new ModuleArgsError(`must name a chart, got ${JSON.stringify(raw.chart)}`, { field: 'chart' });
    rejectControlCharacters(raw.chart, 'chart');
    validateChart(raw.chart, raw.repo !== undefined);
    if (typeof raw.version !== 'string' || !PINNED.test(raw.version)) {
      throw new ModuleArgsError(`must pin one exact chart version such as '1.14.4' or 'v1.14.4' (no ranges, so runs repeat), got ${JSON.stringify(raw.version)}`, { field: 'version' });
    }
    if (typeof raw.namespace !== 'string' || !NAMESPACE.test(raw.namespace)) throw new ModuleArgsError(`must be a namespace name, got ${JSON.stringify(raw.namespace)}`, { field: 'namespace' });
    optionalBoolean(raw.createNamespace, 'createNamespace');
    optionalBoolean(raw.wait, 'wait');
    optionalPositiveInteger(raw.timeoutS, 'timeoutS');
    optionalAbsolutePath(raw.kubeconfig, 'kubeconfig');
    if (raw.values !== undefined) {
      if (typeof raw.values !== 'object' || raw.values === null || Array.isArray(raw.values)) throw new ModuleArgsError('must be an object of chart values', { field: 'values' });
      const problems = toPlain(raw.values, ['values']).problems;
      if (problems.length > 0) throw new ModuleArgsError(problems.join('; '), { field: 'values' });
    }
    if (raw.repo !== undefined) {
      const repo = requireObject(raw.repo, ['name', 'url']);
      if (typeof repo.name !== 'string' || !REPO_NAME.test(repo.name)) throw new ModuleArgsError(`repo.name must be a repository name, got ${JSON.stringify(repo.name)}`, { field: 'repo' });
      if (typeof repo.url !== 'string' || !/^https?:\/\/[^\s]+$/.test(repo.url)) throw new ModuleArgsError(`repo.url must be an http(s) chart repository URL, got ${JSON.stringify(repo.url)}`, { field: 'repo' });
      const chart = raw.chart;
      if (chart.startsWith('oci://')) throw new ModuleArgsError('an oci:// chart carries its own registry; drop repo', { field: 'repo' });
      const slash = chart.indexOf('/');
      if (slash !== -1 && chart.slice(0, slash) !== repo.name) throw new ModuleArgsError(`chart ${JSON.stringify(chart)} names repository "${chart.slice(0, slash)}" but repo.name is "${repo.name}"`, { field: 'chart' });
    }
    return args;
  },

  async plan(ctx, args) {
    const target: HelmTarget = { release: args.release, namespace: args.namespace, kubeconfig: args.kubeconfig };
    const chart = chartOf(args);
    const desired = toPlain(args.values ?? {});
    const script = helmProbeScript(target, chart.path ? args.chart : undefined);
    const probed = await ctx.exec(script);
    let probe: HelmProbe;
    try {
      probe = splitHelmProbe(probed.stdout, probed.stderr);
    } catch (error) {
      throw new CommandError(script, probed, `helm probe of release ${args.release}: ${(error as Error).message} (rc=${probed.code})${probed.stderr.trim() ? `: ${probed.stderr.trim()}` : ''}`);
    }
    const upgrade = async () => {
      await runChecked(ctx, upgradeCommand(upgradeOptions(args, chart.ref)), `helm upgrade --install ${args.release}`, { stdin: `${JSON.stringify(desired.value)}\n` });
    };
    const unknown = (reason: string) => ({ changes: [{ summary: `install or upgrade release ${args.release} in ${args.namespace}`, predictable: false, reason, apply: upgrade }] });
    const local = chart.path ? chartOnHost(probe, args) : { name: chart.name, version: args.version };
    if (probe.list.rc !== 0) {
      if (classifyKubectlFailure(probe.list.stderr, args.kubeconfig)?.kind === 'unreachable') return unknown(`the cluster does not answer (${errorLine(probe.list.stderr)})`);
      throw new CommandError(script, probed, `helm list of release ${args.release} failed (rc=${probe.list.rc})${probe.list.stderr ? `: ${probe.list.stderr}` : ''}`);
    }
    if (local === 'absent') return unknown(`chart ${args.chart} is not on the host yet`);
    const data: HelmData = { release: args.release, namespace: args.namespace, chart: chartColumn(local.name, local.version) };
    let deployed;
    let values: unknown;
    try {
      deployed = releaseEntry(probe.list, target);
      values = deployed && deployed.status !== 'uninstalled' ? releaseValues(probe.values, target) : undefined;
    } catch (error) {
      throw new TaskFailedError(`release ${args.release} in ${args.namespace}: ${(error as Error).message}`, { cause: error });
    }
    if (deployed && STUCK.has(deployed.status)) {
      const history = await ctx.exec(historyCommand(target));
      throw new TaskFailedError(stuckMessage(deployed, target, history.code === 0 ? lastGoodRevision(history.stdout) : undefined));
    }
    const reasons: string[] = [];
    const current = deployed?.status === 'uninstalled' ? undefined : deployed;
    if (current) {
      if (current.status !== 'deployed') reasons.push(`status is ${current.status}`);
      const version = deployedVersion(current.chart, local.name);
      if (version === undefined || !sameVersion(version, local.version)) reasons.push(`chart ${current.chart} -> ${data.chart}`);
      if (!sameValues(values, desired.value)) reasons.push('values differ');
      if (reasons.length === 0) return { changes: [], data };
    }
    const valuesChanged = !current || !sameValues(values, desired.value);
    const change: Change<HelmData> = {
      summary: current
        ? `upgrade release ${args.release} in ${args.namespace}: ${reasons.join(', ')}`
        : `install release ${args.release} (chart ${data.chart}) in ${args.namespace}${deployed ? ' (its last revision was uninstalled)' : ''}`,
      ...(ctx.wantDiff && valuesChanged ? { diff: valuesDiff(args.release, current ? values : null, desired.value, desired.secretPaths) } : {}),
      apply: upgrade,
    };
    return { changes: [change], data };
  },
});

function upgradeOptions(args: HelmArgs, chartRef: string): UpgradeOptions {
  return {
    release: args.release,
    namespace: args.namespace,
    kubeconfig: args.kubeconfig,
    chartRef,
    version: args.version,
    repoUrl: args.repo?.url,
    createNamespace: args.createNamespace ?? false,
    wait: args.wait ?? false,
    timeoutS: args.timeoutS,
  };
}
