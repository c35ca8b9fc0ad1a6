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
    manifest: optional('string', yamlText, 'A YAML manifest, several documents allowed.'),
    src: optional('string', templatePath, "A Handlebars template of a manifest, relative to templates/, rendered with the host's vars."),
    vars: optional('Vars', checkedAcross<Vars>(), "Extra variables for src, over the host's."),
    namespace: optional('string', namespaceName, 'Namespace for objects that name none (kubectl --namespace).'),
    fieldManager: optional('string', fieldManagerName, "Server-side apply field manager; default 'ploy'."),
    forceConflicts: optional('boolean', optionalBoolean, 'Take over fields another field manager owns (--force-conflicts). Off by default: a conflict fails the task naming the fields and their manager, in check mode too.'),
    prune: optional('false | { selector: string }', pruneSpec, "Off by default. On: delete the objects that match the selector, that this task's field manager applied, and that the manifest no longer has."),
    wait: optional('{ timeoutS: number; condition?: string; resources?: readonly string[] }', waitSpec, 'After an apply: wait, each wait bounded by timeoutS, for what each applied kind reports (rollouts of Deployments, DaemonSets and StatefulSets, Established CRDs, Complete Jobs, Ready Certificates; nothing for the rest), and for condition on each of resources when given.'),
    kubeconfig: optional('string', optionalAbsolutePath, "A kubeconfig on the host; default: kubectl's own (KUBECONFIG, ~/.kube/config)."),
    validate: optional('boolean', optionalBoolean, 'Validate objects against the Kubernetes schemas before anything runs; default true.'),
  },
  {
    summary: 'Kubernetes objects applied server-side with kubectl on the host, optionally pruned and waited for.',
    checkMode: 'A server-side dry run and diff per object (a read); reports the objects created or changed with their diff (Secrets hidden) and those pruning would delete; applies nothing.',
    first(raw) {
      const sources = (['objects', 'manifest', 'src'] as const).filter((key) => raw[key] !== undefined);
      if (sources.length !== 1) {
        throw new ModuleArgsError(sources.length === 0 ? 'give the objects (objects, manifest or src)' : `give only one of objects, manifest and src, not ${sources.join(' and ')}`, { field: sources[1] ?? 'objects' });
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
  if (fieldManager !== undefined && !FIELD_MANAGER.test(fieldManager)) throw new ModuleArgsError(`must be a field manager name (letters, digits, . _ : -), got ${JSON.stringify(fieldManager)}`, { field });
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
    const prepared = checked.get(args) ?? checkObjects(args, args.objects ? 'objects' : args.src !== undefined ? 'src' : 'manifest', args.src !== undefined ? render(args, ctx) : (args.manifest ?? ''));
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
    const reason = error instanceof ManifestSyntaxError ? `YAML error in the ${field === 'src' ? 'rendered manifest' : 'manifest'}, ${error.message}` : error instanceof ObjectProblems ? error.message : undefined;
    if (reason === undefined) throw error;
    throw field === 'src' ? new InputError(reason, location, { cause: error }) : new ModuleArgsError(reason, location, { cause: error });
  }
  if (args.prune) {
    const requirements = parseSelector(args.prune.selector);
    const outside = prepared.objects.filter((p) => !matchesSelector(p.plain.metadata.labels ?? {}, requirements));
    if (outside.length > 0) {
      const names = outside.map((p) => objectRef(p.plain)).join(', ');
      throw new ModuleArgsError(`${names} ${outside.length === 1 ? 'does' : 'do'} not match the prune selector ${JSON.stringify(args.prune.selector)}: pruning finds objects by that selector, so ${outside.length === 1 ? 'it' : 'they'} could never be pruned once removed from the manifest; label every object this task applies`, { field: 'prune' });
    }
  }
  return prepared;
}

function render(args: KubectlApplyArgs, env: PrepareEnv): string {
  return renderTemplate({ templatesDir: join(env.projectDir, 'templates'), src: args.src ?? '', vars: { ...env.vars, ...args.vars }, displayRoot: env.projectDir });
}
