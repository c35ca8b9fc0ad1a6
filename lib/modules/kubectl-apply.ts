import { join } from 'node:path';
import { InputError, ModuleArgsError } from '../errors.ts';
import { ManifestSyntaxError, parseManifest } from '../k8s/manifest.ts';
import { objectRef, type K8sObject, type ObjectOrigin } from '../k8s/object.ts';
import { NAMESPACE, ObjectProblems, prepareObjects, type PreparedObjects } from '../k8s/prepare-objects.ts';
import { matchesSelector, parseSelector } from '../k8s/selector.ts';
import { defineModule, type PrepareEnv } from '../module.ts';
import { renderTemplate } from '../template/render.ts';
import type { Vars } from '../vars.ts';
import { optionalAbsolutePath, optionalBoolean, optionalString, rejectControlCharacters } from './support/args.ts';
import { FIELD_MANAGER, validatePrune, validateWait } from './support/kubectl-apply-args.ts';
import { planKubectlApply } from './support/kubectl-apply-plan.ts';
import { argsSchema, checkedAcross, optional, type SchemaArgs } from './support/schema.ts';

export const kubectlApplyArgs = argsSchema(
  {
    objects: optional('readonly K8sObject[]', objectList, 'The objects as TS values (Secrets allowed anywhere). Exactly one of objects, manifest and src.'),
    manifest: optional('string', yamlText, 'A YAML manifest: several documents allowed, a `kind: List` unwrapped.'),
    src: optional('string', templatePath, "A Handlebars template of a manifest, relative to templates/, rendered with the host's vars."),
    vars: optional('Vars', checkedAcross<Vars>(), "Extra variables for src, over the host's."),
    namespace: optional('string', namespaceName, 'Namespace for objects that name none (kubectl --namespace).'),
    fieldManager: optional('string', fieldManagerName, 'Server-side apply field manager.', "'ploy'"),
    forceConflicts: optional(
      'boolean',
      optionalBoolean,
      'Take over fields another field manager owns (--force-conflicts). Off: a conflict fails the task naming the fields and their manager, in check mode too.',
      'false',
    ),
    prune: optional('false | { selector: string }', pruneSpec, "Delete the objects that match the selector, that this task's field manager applied, and that the manifest no longer has.", 'false'),
    wait: optional(
      '{ timeoutS: number; condition?: string; resources?: readonly string[] }',
      waitSpec,
      'After an apply: wait, each wait bounded by timeoutS, for what each applied kind reports (rollouts of Deployments, DaemonSets and StatefulSets, Established CRDs, Complete Jobs, Ready Certificates; nothing for the rest), and for condition on each of resources when given.',
    ),
    kubeconfig: optional('string', optionalAbsolutePath, "A kubeconfig on the host; default: kubectl's own (KUBECONFIG, ~/.kube/config)."),
    validate: optional('boolean', optionalBoolean, 'Validate objects against the Kubernetes schemas before anything runs.', 'true'),
  },
  {
    summary: 'Kubernetes objects applied server-side with kubectl on the host, optionally pruned and waited for.',
    checkMode:
      "One round trip: `kubectl diff --server-side` with the manifest on stdin (and, with `prune`, the listing of what the task applied before): exit 0 is ok, 1 is changed (with `--diff`, kubectl's diff with every Secret's data and every secret value masked; objects to prune show as deletions); a new namespace or CRD of the manifest is changed. A field another manager owns fails the task (check mode too). Cannot predict, with the reason, a kind no CRD serves yet or a cluster that does not answer (no kubeconfig, API server down): skipped in check mode, a real run fails with kubectl's message. Applies nothing.",
    notes: [
      "Before any host is touched (in `validate()`, or in `prepare()` for `src`, so also in the runner's preflight): every object must have `apiVersion`, `kind` and `metadata.name`; no object may appear twice; an object's namespace must agree with `namespace`; with `prune`, every object must match the selector; and, unless `validate: false`, every object must satisfy its kind's schema. Errors name the object (`Deployment demo/web`), where it is (`manifest, document 2, line 14` or `objects[0]`) and the field (`field spec.replicas must be integer, got string \"two\"`). A Secret's data is never printed.",
      "Schemas: built-in kinds from the validators of the npm package `kubernetes-models` 4.5.1 (generated from the Kubernetes ~1.33 OpenAPI schema); cert-manager kinds (`ClusterIssuer`, ...) from `@kubernetes-models/cert-manager` 4.4.4; K3s's `helm.cattle.io/v1` `HelmChart` and `HelmChartConfig` from their CRD schemas, checked in under `lib/k8s/schemas/` with their source named (k3s-io/helm-controller). A kind with no known schema is an error that says to set `validate: false`.",
      "The manifest goes on stdin (never a temp file), printed as YAML 1.1 as kubectl reads it (strings like `yes`, `on`, `0777` quoted), namespaces and CRDs first. Apply is `kubectl apply --server-side --field-manager=... [--force-conflicts] [--namespace=...] [--kubeconfig=...] -f -`. A converged run costs one round trip (the diff, with the prune listing when pruning). Its probe is never batched with other hosts' probes: the cluster is shared between hosts.",
      "Prune: kubectl's own pruning cannot serve a server-side apply: `kubectl apply --prune` refuses `--server-side` outside an ApplySet (kubectl `pkg/cmd/apply/apply.go`), and `kubectl diff --prune` only sees objects carrying the client-side `last-applied-configuration` annotation, which a server-side apply never writes (`pkg/cmd/diff/prune.go`). So ploy prunes itself: in the probe's round trip it lists `kubectl get KINDS --selector=... --all-namespaces` (kubectl's default prune kinds, `pkg/util/prune/prune.go`, plus every kind of the manifest; a custom kind in its own call, since a kind the cluster does not serve fails a whole `kubectl get`), and prunes the objects whose `managedFields` hold an `Apply` entry of this task's field manager (what server-side apply records for \"we applied this\"; a Deployment's Pods, made by a controller, carry none) and that the manifest no longer has: `kubectl delete KIND/NAME... --ignore-not-found`, after the apply and its waits. Check mode lists them (`prune ConfigMap default/b, ...`); `--diff` shows each as a deletion (one more round trip, `kubectl get -o yaml`; a Secret's data masked). The selector should be this task's alone: another task applying with the same field manager and selector would have its objects pruned. A pruned Namespace takes everything in it, as with kubectl.",
      'Waits: `wait: { timeoutS }` waits, after an apply that changed something, for what each applied kind reports, each wait bounded by `timeoutS`: `kubectl rollout status` for Deployments, DaemonSets and StatefulSets (not those with the `OnDelete` strategy, which kubectl refuses), `kubectl wait --for=condition=Established` for CRDs, `Complete` for Jobs, `Ready` for cert-manager Certificates, and nothing for the rest: a Namespace, ConfigMap, Secret, Service reports no condition, and `kubectl wait` for one sits until its timeout (`pkg/cmd/wait/condition.go`). `condition` with `resources` adds a wait on named resources (`deployment.apps/cert-manager-webhook`).',
      'Field ownership (conflict policy): server-side apply records which field manager owns each field. When the manifest sets a field to a value other than the live one and another manager owns it (someone\'s `kubectl edit`/`scale`/`patch`, helm, a controller), the API server refuses the apply with a conflict (apimachinery `pkg/util/managedfields/internal/conflict.go`). ploy does what kubectl does by default: the task fails, in check mode too (the diff is a server-side dry run), naming the fields and the other manager, e.g. `.spec.replicas is owned by field manager "kubectl-patch" using apps/v1 at ...`. To take the fields over, set `forceConflicts: true` (that task then owns them; later runs need no force); to leave them to the other manager, drop them from the manifest. A manager that sets the same value shares the field: no conflict.',
      'Kinds not served yet: a manifest whose kind no CRD serves yet (a `ClusterIssuer` before cert-manager) gets kubectl\'s "no matches for kind ... in version ..." (cli-runtime `pkg/resource/mapper.go`). Check mode reports the task as skipped: `cannot predict: kind ClusterIssuer (cert-manager.io/v1) is not served by the cluster yet ...`; a real run runs the apply and fails with kubectl\'s message, unless an earlier task (the cert-manager release) installed the CRD. kubectl maps every object of an apply before applying any (`apply.go` GetObjects), so a CRD and objects of its kind cannot go in one apply: when a manifest has both, ploy applies its CRDs (and Namespaces) first, waits until they are `Established` (`wait.timeoutS`, else 60 s), then applies everything.',
      "A cluster that is not there yet: on a fresh machine `site.ts --check` meets no kubeconfig, an API server that does not answer, or a kubeconfig path that does not exist yet. The task then reports `cannot predict: the cluster does not answer (<kubectl's error line>)`, skipped rather than failed, so the check shows the whole plan. A real run against an absent cluster still runs the command and fails with kubectl's own message.",
      "Known limits: the Kubernetes OpenAPI schemas do not forbid unknown fields, so a typo such as `spec.replica` in a built-in kind passes ploy's check; the API server's strict field validation rejects it at `kubectl diff` time (a failure, with kubectl's message). The checked-in CRD schemas (`HelmChartConfig`, `HelmChart`) do refuse unknown fields, as the API server does for structural CRD schemas. The cert-manager models predate cert-manager 1.12: newer fields (e.g. `http01.ingress.ingressClassName`) pass unchecked rather than being validated.",
      'How it was verified, and what was not: [docs/verification.md](verification.md#kubectlapply-and-helm).',
    ],
    first(raw) {
      const sources = (['objects', 'manifest', 'src'] as const).filter((key) => raw[key] !== undefined);
      if (sources.length !== 1) {
        throw new ModuleArgsError(sources.length === 0 ? 'give the objects (objects, manifest or src)' : `give only one of objects, manifest and src, not ${sources.join(' and ')}`, {
          field: sources[1] ?? 'objects',
        });
      }
    },
    across(args) {
      const raw: Record<string, unknown> = args;
      if (raw.vars !== undefined) {
        if (raw.src === undefined) throw new ModuleArgsError('vars are for rendering src; objects and manifest are used as given', { field: 'vars' });
        if (typeof raw.vars !== 'object' || raw.vars === null || Array.isArray(raw.vars)) throw new ModuleArgsError('must be an object of variables', { field: 'vars' });
      }
    },
  },
);

export type KubectlApplyArgs = SchemaArgs<typeof kubectlApplyArgs>;

function objectList(value: unknown, field: string): readonly K8sObject[] {
  if (!Array.isArray(value) || value.length === 0) throw new ModuleArgsError('must be a non-empty list of Kubernetes objects', { field });
  return value as K8sObject[];
}

function yamlText(value: unknown, field: string): string {
  if (typeof value !== 'string') throw new ModuleArgsError(`must be YAML text, got ${typeof value}`, { field });
  return value;
}

function templatePath(value: unknown, field: string): string {
  if (typeof value !== 'string' || value === '') throw new ModuleArgsError('must name a template under templates/', { field });
  rejectControlCharacters(value, field);
  return value;
}

function namespaceName(value: unknown, field: string): string | undefined {
  const namespace = optionalString(value, field);
  if (namespace !== undefined && !NAMESPACE.test(namespace)) throw new ModuleArgsError(`must be a namespace name (lowercase letters, digits and -), got ${JSON.stringify(namespace)}`, { field });
  return namespace;
}

function fieldManagerName(value: unknown, field: string): string | undefined {
  const fieldManager = optionalString(value, field);
  if (fieldManager !== undefined && !FIELD_MANAGER.test(fieldManager))
    throw new ModuleArgsError(`must be a field manager name (letters, digits, . _ : -), got ${JSON.stringify(fieldManager)}`, { field });
  return fieldManager;
}

function pruneSpec(value: unknown): false | { selector: string } {
  validatePrune(value);
  return value as false | { selector: string };
}

function waitSpec(value: unknown): { timeoutS: number; condition?: string; resources?: readonly string[] } {
  validateWait(value);
  return value as { timeoutS: number; condition?: string; resources?: readonly string[] };
}

export interface KubectlApplyData {
  /** The objects sent, "Deployment web/nginx". */
  objects: string[];
}

/** Objects checked by validate() or prepare(), per args object, so plan() does not check them again. */
const checked = new WeakMap<KubectlApplyArgs, PreparedObjects>();

/**
 * Apply Kubernetes objects with server-side apply; `kubectl diff` decides whether anything changes.
 * How it plans (prune, waits, conflicts, kinds not served yet, a cluster not there yet):
 * support/kubectl-apply-plan.ts.
 */
export const kubectlApply = defineModule<KubectlApplyArgs, KubectlApplyData>({
  name: 'kubectlApply',
  batchProbes: true,

  schema: kubectlApplyArgs,

  validate(args) {
    kubectlApplyArgs.validate(args);
    const copy = { ...args };
    if (args.src === undefined) checked.set(copy, checkObjects(args, args.objects !== undefined ? 'objects' : 'manifest', args.manifest ?? ''));
    return copy;
  },

  prepare(args, env) {
    if (args.src === undefined) return args;
    const prepared = { ...args };
    checked.set(prepared, checkObjects(args, 'src', render(args, env)));
    return prepared;
  },

  async plan(ctx, args) {
    const prepared =
      checked.get(args) ?? checkObjects(args, args.objects ? 'objects' : args.src !== undefined ? 'src' : 'manifest', args.src !== undefined ? render(args, ctx) : (args.manifest ?? ''));
    return planKubectlApply(ctx, args, prepared);
  },
});

/** Check the objects of one call; problems become one error naming every bad object and field. */
function checkObjects(args: KubectlApplyArgs, field: 'objects' | 'manifest' | 'src', text: string): PreparedObjects {
  const location = field === 'src' ? { file: join('templates', args.src ?? ''), field } : { field };
  let prepared: PreparedObjects;
  try {
    const candidates =
      field === 'objects'
        ? (args.objects ?? []).map((value, i) => ({ value: value as unknown, origin: { source: `objects[${i}]` } as ObjectOrigin }))
        : parseManifest(text).map((entry) => ({
            value: entry.value,
            origin: { source: field === 'src' ? 'rendered manifest' : 'manifest', document: entry.document, lineOf: entry.lineOf } as ObjectOrigin,
          }));
    prepared = prepareObjects(candidates, { validate: args.validate ?? true, namespace: args.namespace });
  } catch (error) {
    const reason =
      error instanceof ManifestSyntaxError ? `YAML error in the ${field === 'src' ? 'rendered manifest' : 'manifest'}, ${error.message}` : error instanceof ObjectProblems ? error.message : undefined;
    if (reason === undefined) throw error;
    throw field === 'src' ? new InputError(reason, location, { cause: error }) : new ModuleArgsError(reason, location, { cause: error });
  }
  if (args.prune) {
    const requirements = parseSelector(args.prune.selector);
    const outside = prepared.objects.filter((p) => !matchesSelector(p.plain.metadata.labels ?? {}, requirements));
    if (outside.length > 0) {
      const names = outside.map((p) => objectRef(p.plain)).join(', ');
      throw new ModuleArgsError(
        `${names} ${outside.length === 1 ? 'does' : 'do'} not match the prune selector ${JSON.stringify(args.prune.selector)}: pruning finds objects by that selector, so ${outside.length === 1 ? 'it' : 'they'} could never be pruned once removed from the manifest; label every object this task applies`,
        { field: 'prune' },
      );
    }
  }
  return prepared;
}

function render(args: KubectlApplyArgs, env: PrepareEnv): string {
  return renderTemplate({ templatesDir: join(env.projectDir, 'templates'), src: args.src ?? '', vars: { ...env.vars, ...args.vars }, displayRoot: env.projectDir });
}
