import { CommandError, ModuleArgsError, TaskFailedError } from '../errors.ts';
import {
  chartColumn,
  deployedVersion,
  helmProbeScript,
  releaseEntry,
  releaseValues,
  sameVersion,
  splitHelmProbe,
  upgradeCommand,
  type HelmProbe,
  type HelmTarget,
  type UpgradeOptions,
} from '../k8s/helm-release.ts';
import { historyCommand, lastGoodRevision, STUCK, stuckMessage } from '../k8s/helm-states.ts';
import { sameValues, valuesDiff } from '../k8s/helm-values.ts';
import { classifyKubectlFailure, errorLine } from '../k8s/kubectl-failure.ts';
import { toPlain } from '../k8s/plain.ts';
import { NAMESPACE } from '../k8s/prepare-objects.ts';
import { defineModule, type Change } from '../module.ts';
import { optionalAbsolutePath, optionalBoolean, optionalPositiveInteger, rejectControlCharacters, requireObject } from './support/args.ts';
import { chartOf, chartOnHost, validateChart } from './support/helm-chart.ts';
import { runChecked } from './support/run.ts';
import { argsSchema, optional, required, type SchemaArgs } from './support/schema.ts';

export const helmArgs = argsSchema(
  {
    release: required('string', releaseName, 'The release name.'),
    chart: required(
      'string',
      chartName,
      "'traefik' (with repo), 'jetstack/cert-manager' (a repo the host has added, or with repo), 'oci://registry/path/name', or an absolute path on the host (a chart directory or .tgz, whose Chart.yaml names the chart).",
    ),
    version: required('string', pinnedVersion, "One exact chart version: '1.14.4' or 'v1.14.4'; never a range. A chart path must hold this version."),
    namespace: required('string', namespaceName, 'The release namespace.'),
    createNamespace: optional('boolean', optionalBoolean, 'helm --create-namespace.'),
    values: optional('Record<string, unknown>', chartValues, "The release's values; Secrets allowed anywhere (sent on stdin, hidden in diffs)."),
    repo: optional('{ name: string; url: string }', chartRepo, 'The chart repository, passed as --repo (no `helm repo add` state on the host).'),
    kubeconfig: optional('string', optionalAbsolutePath, "A kubeconfig on the host; default: helm's own."),
    wait: optional('boolean', optionalBoolean, "helm --wait: until the release's resources are ready (else the release is failed)."),
    timeoutS: optional('number (s)', optionalPositiveInteger, "helm --timeout, seconds: how long --wait (and hooks) may take; helm's default is 5 minutes."),
  },
  {
    summary: 'A Helm release installed or upgraded to one pinned chart version with these values.',
    checkMode:
      "One round trip (`helm list` + `helm get values`, and `helm show chart` for a chart path); changed when the release is missing, not `deployed` (a `failed` one is upgraded in place), on another chart version (a leading `v` ignored) or its values differ (deep-equal, key order ignored); with `--diff`, a YAML diff of the values with secret spots hidden on both sides. A release left `pending-install`, `pending-upgrade`, `pending-rollback` or `uninstalling` by an interrupted run fails the task, check mode too, naming the command that recovers it. A cluster that does not answer or a chart path not on the host yet: cannot predict (skipped in check mode), a real run fails with helm's message.",
    notes: [
      "Upgrades with `helm upgrade --install RELEASE CHART --version=V --namespace=NS [--create-namespace] [--repo=URL] [--kubeconfig=...] --reset-values [--wait] [--timeout=Ns] -f -`, the values as JSON on stdin: the release's values become exactly these. It never uninstalls. A converged run costs one round trip; its probe is never batched with other hosts' probes (the cluster is shared).",
      "The chart's name is the one helm records from Chart.yaml: for a chart path, the probe runs `helm show chart PATH` (no cluster needed); a repository's index and an OCI registry name a chart by its Chart.yaml name already. helm installs a chart path as it is and ignores `--version` (`pkg/action/install.go` LocateChart), so a path holding another version than the pinned one fails the task instead of installing it.",
      '`wait` and `timeoutS` become `--wait` and `--timeout`: resources not ready in time fail the release (`failed`), and the next run upgrades it again.',
      'Interrupted releases and their recovery: helm records a revision `pending-install`, `pending-upgrade` or `pending-rollback` before it applies and waits, and only then `deployed` or `failed`. A run killed in between (lost SSH session, a hard ^C) leaves it pending, and helm refuses every later operation: "another operation (install/upgrade/rollback) is in progress" (`pkg/action/upgrade.go`). helm cannot tell a live operation from a dead one, and neither can ploy, so it does not guess: the task fails before touching anything, in check mode too, saying what to run once no helm is at work on the release: for `pending-upgrade` and `pending-rollback`, `helm rollback RELEASE N --namespace=NS [--kubeconfig=...]`, N being the last revision that was deployed (ploy reads `helm history` to name it); for `pending-install` (nothing was ever deployed), `helm uninstall RELEASE --namespace=NS`; for `uninstalling` (an uninstall stopped half way), `helm uninstall` again. Then run again: the release is upgraded (or installed) to what the task says. A `failed` release needs nothing: helm 3.3 and later upgrade it in place, and ploy does. An `uninstalled` one (kept with `--keep-history`) is installed again.',
      "A cluster that is not there yet (no kubeconfig, an API server that does not answer): the task reports `cannot predict: the cluster does not answer (<helm's error line>)`, skipped in check mode; a real run runs helm and fails with its own message.",
      'How it was verified, and what was not: [docs/verification.md](verification.md#kubectlapply-and-helm).',
    ],
    across(args) {
      validateChart(args.chart, args.repo !== undefined);
      const repo = args.repo;
      if (repo !== undefined) {
        const chart = args.chart;
        if (chart.startsWith('oci://')) throw new ModuleArgsError('an oci:// chart carries its own registry; drop repo', { field: 'repo' });
        const slash = chart.indexOf('/');
        if (slash !== -1 && chart.slice(0, slash) !== repo.name)
          throw new ModuleArgsError(`chart ${JSON.stringify(chart)} names repository "${chart.slice(0, slash)}" but repo.name is "${repo.name}"`, { field: 'chart' });
      }
    },
  },
);

export type HelmArgs = SchemaArgs<typeof helmArgs>;

function releaseName(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.length > 53 || !RELEASE.test(value)) {
    throw new ModuleArgsError(`must be a release name (lowercase letters, digits, - and ., at most 53 characters), got ${JSON.stringify(value)}`, { field });
  }
  return value;
}

function chartName(value: unknown, field: string): string {
  if (typeof value !== 'string' || value === '' || /\s/.test(value)) throw new ModuleArgsError(`must name a chart, got ${JSON.stringify(value)}`, { field });
  rejectControlCharacters(value, field);
  return value;
}

function pinnedVersion(value: unknown, field: string): string {
  if (typeof value !== 'string' || !PINNED.test(value)) {
    throw new ModuleArgsError(`must pin one exact chart version such as '1.14.4' or 'v1.14.4' (no ranges, so runs repeat), got ${JSON.stringify(value)}`, { field });
  }
  return value;
}

function namespaceName(value: unknown, field: string): string {
  if (typeof value !== 'string' || !NAMESPACE.test(value)) throw new ModuleArgsError(`must be a namespace name, got ${JSON.stringify(value)}`, { field });
  return value;
}

function chartValues(value: unknown, field: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ModuleArgsError('must be an object of chart values', { field });
  const problems = toPlain(value, ['values']).problems;
  if (problems.length > 0) throw new ModuleArgsError(problems.join('; '), { field });
  return value as Record<string, unknown>;
}

function chartRepo(value: unknown, field: string): { name: string; url: string } {
  const repo = requireObject(value, ['name', 'url']);
  if (typeof repo.name !== 'string' || !REPO_NAME.test(repo.name)) throw new ModuleArgsError(`repo.name must be a repository name, got ${JSON.stringify(repo.name)}`, { field });
  if (typeof repo.url !== 'string' || !/^https?:\/\/[^\s]+$/.test(repo.url)) throw new ModuleArgsError(`repo.url must be an http(s) chart repository URL, got ${JSON.stringify(repo.url)}`, { field });
  return repo as { name: string; url: string };
}

export interface HelmData {
  release: string;
  namespace: string;
  /** "<chart>-<version>" as helm list shows it, after this task. */
  chart: string;
}

const RELEASE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const PINNED = /^v?\d+(\.\d+){0,2}([-+][0-9A-Za-z.+-]+)?$/;
const REPO_NAME = /^[A-Za-z0-9][-A-Za-z0-9_.]*$/;

/** Install or upgrade a Helm release; changed only when the chart version or the values differ. */
export const helm = defineModule<HelmArgs, HelmData>({
  name: 'helm',

  schema: helmArgs,
  batchProbes: true,
  validate: helmArgs.validate,

  async plan(ctx, args) {
    const target: HelmTarget = { release: args.release, namespace: args.namespace, kubeconfig: args.kubeconfig };
    const chart = chartOf(args);
    const desired = toPlain(args.values ?? {});
    const script = helmProbeScript(target, chart.path ? args.chart : undefined);
    const probed = await ctx.exec(script, { probe: true });
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
      const failure = classifyKubectlFailure(probe.list.stderr, args.kubeconfig);
      if (failure?.kind === 'unreachable') return unknown(`the cluster does not answer (${errorLine(probe.list.stderr)})`);
      if (failure?.kind === 'not-installed') return unknown(`${failure.tool} is not installed on the host yet`);
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
      const history = await ctx.exec(historyCommand(target), { probe: true });
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
