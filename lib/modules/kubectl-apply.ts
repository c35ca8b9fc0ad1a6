import { join } from 'node:path';
import { describeExit } from '../connection/connection.ts';
import { CommandError, InputError, ModuleArgsError } from '../errors.ts';
import { changedObjects, maskDiffOutput } from '../k8s/diff-output.ts';
import { applyCommand, diffCommand, waitCommand, type ServerSideOptions, type WaitOptions } from '../k8s/kubectl-command.ts';
import { ManifestSyntaxError, parseManifest } from '../k8s/manifest.ts';
import { objectRef, type K8sObject, type ObjectOrigin } from '../k8s/object.ts';
import { NAMESPACE, ObjectProblems, prepareObjects, type PreparedObjects } from '../k8s/prepare-objects.ts';
import { matchesSelector, parseSelector } from '../k8s/selector.ts';
import { defineModule, type Change, type PrepareEnv } from '../module.ts';
import { renderTemplate } from '../template/render.ts';
import type { Vars } from '../vars.ts';
import { optionalAbsolutePath, optionalBoolean, optionalString, rejectControlCharacters, requireObject } from './support/args.ts';
import { runChecked } from './support/run.ts';

export interface KubectlApplyArgs {
  /** The objects as TS values (Secrets allowed anywhere). Exactly one of objects, manifest and src. */
  objects?: readonly K8sObject[];
  /** A YAML manifest, several documents allowed. */
  manifest?: string;
  /** A Handlebars template of a manifest, relative to templates/, rendered with the host's vars. */
  src?: string;
  /** Extra variables for src, over the host's. */
  vars?: Vars;
  /** Namespace for objects that name none (kubectl --namespace). */
  namespace?: string;
  /** Server-side apply field manager; default 'ploy'. */
  fieldManager?: string;
  /** Take over fields another manager owns (--force-conflicts). */
  forceConflicts?: boolean;
  /** Off by default. On: delete objects matching the selector that the manifest no longer has. */
  prune?: false | { selector: string };
  /** After an apply: wait for rollouts and/or a condition, each bounded by timeoutS. */
  wait?: { rollout?: boolean; condition?: string; resources?: readonly string[]; timeoutS: number };
  /** A kubeconfig on the host; default: kubectl's own (KUBECONFIG, ~/.kube/config). */
  kubeconfig?: string;
  /** Validate objects against the Kubernetes schemas before anything runs; default true. */
  validate?: boolean;
}

export interface KubectlApplyData {
  /** The objects sent, "Deployment web/nginx". */
  objects: string[];
}

const KNOWN = ['objects', 'manifest', 'src', 'vars', 'namespace', 'fieldManager', 'forceConflicts', 'prune', 'wait', 'kubeconfig', 'validate'] as const;
const FIELD_MANAGER = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
const RESOURCE = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?\/[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
const CONDITION = /^[A-Za-z][A-Za-z0-9._/-]*(=[A-Za-z0-9._-]+)?$/;

/** Objects checked by validate() or prepare(), per args object, so plan() does not check them again. */
const checked = new WeakMap<KubectlApplyArgs, PreparedObjects>();

/** Apply Kubernetes objects with server-side apply; `kubectl diff` decides whether anything changes. */
export const kubectlApply = defineModule<KubectlApplyArgs, KubectlApplyData>({
  name: 'kubectlApply',

  validate(args) {
    const raw = requireObject(args, KNOWN);
    const sources = (['objects', 'manifest', 'src'] as const).filter((key) => raw[key] !== undefined);
    if (sources.length !== 1) {
      throw new ModuleArgsError(sources.length === 0 ? 'give the objects (objects, manifest or src)' : `give only one of objects, manifest and src, not ${sources.join(' and ')}`, { field: sources[1] ?? 'objects' });
    }
    if (raw.objects !== undefined && (!Array.isArray(raw.objects) || raw.objects.length === 0)) throw new ModuleArgsError('must be a non-empty list of Kubernetes objects', { field: 'objects' });
    if (raw.manifest !== undefined && typeof raw.manifest !== 'string') throw new ModuleArgsError(`must be YAML text, got ${typeof raw.manifest}`, { field: 'manifest' });
    if (raw.src !== undefined) {
      if (typeof raw.src !== 'string' || raw.src === '') throw new ModuleArgsError('must name a template under templates/', { field: 'src' });
      rejectControlCharacters(raw.src, 'src');
    }
    if (raw.vars !== undefined) {
      if (raw.src === undefined) throw new ModuleArgsError('vars are for rendering src; objects and manifest are used as given', { field: 'vars' });
      if (typeof raw.vars !== 'object' || raw.vars === null || Array.isArray(raw.vars)) throw new ModuleArgsError('must be an object of variables', { field: 'vars' });
    }
    const namespace = optionalString(raw.namespace, 'namespace');
    if (namespace !== undefined && !NAMESPACE.test(namespace)) throw new ModuleArgsError(`must be a namespace name (lowercase letters, digits and -), got ${JSON.stringify(namespace)}`, { field: 'namespace' });
    const fieldManager = optionalString(raw.fieldManager, 'fieldManager');
    if (fieldManager !== undefined && !FIELD_MANAGER.test(fieldManager)) throw new ModuleArgsError(`must be a field manager name (letters, digits, . _ : -), got ${JSON.stringify(fieldManager)}`, { field: 'fieldManager' });
    optionalBoolean(raw.forceConflicts, 'forceConflicts');
    optionalBoolean(raw.validate, 'validate');
    optionalAbsolutePath(raw.kubeconfig, 'kubeconfig');
    validatePrune(raw.prune);
    validateWait(raw.wait);
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
    const options = serverSideOptions(args);
    const data = { objects: prepared.objects.map((p) => objectRef(p.plain)) };
    const diff = await ctx.exec(diffCommand(options), { stdin: prepared.text });
    if (diff.code === 0) return { changes: [], data };
    const count = `${prepared.objects.length} object${prepared.objects.length === 1 ? '' : 's'}`;
    let summary: string;
    if (diff.code === 1) {
      const changed = changedObjects(diff.stdout);
      summary = `apply ${count} server-side: ${changed.length > 0 ? `${changed.join(', ')} differ` : 'kubectl diff reports differences'}`;
    } else {
      const fresh = namespacesToCreate(diff.stderr, prepared);
      if (!fresh) throw new CommandError(diffCommand(options), diff, `kubectl diff failed (${describeExit(diff)})${diff.stderr.trim() ? `: ${diff.stderr.trim()}` : ''}`);
      summary = `apply ${count} server-side: namespace ${fresh.join(', ')} is new (kubectl diff cannot dry-run objects in a namespace that does not exist yet)`;
    }
    const wait = waitOptions(args);
    const waits = wait ? waitCommand(prepared.objects.map((p) => p.plain), wait, options) : '';
    const change: Change<KubectlApplyData> = {
      summary,
      ...(ctx.wantDiff && diff.code === 1 ? { diff: maskDiffOutput(diff.stdout) } : {}),
      async apply() {
        await runChecked(ctx, applyCommand(options), 'kubectl apply', { stdin: prepared.text });
        if (waits) await runChecked(ctx, waits, 'waiting for the applied objects');
      },
    };
    return { changes: [change], data };
  },
});

function validatePrune(prune: unknown): void {
  if (prune === undefined || prune === false) return;
  if (prune === true) throw new ModuleArgsError("prune needs a label selector naming what this task owns, e.g. prune: { selector: 'app.kubernetes.io/managed-by=ploy' }", { field: 'prune' });
  const raw = requireObject(prune, ['selector']);
  if (typeof raw.selector !== 'string' || raw.selector.trim() === '') throw new ModuleArgsError('prune.selector must be a label selector such as app=web', { field: 'prune' });
  try {
    parseSelector(raw.selector);
  } catch (error) {
    throw new ModuleArgsError(`prune.selector: ${(error as Error).message}`, { field: 'prune' });
  }
}

function validateWait(wait: unknown): void {
  if (wait === undefined) return;
  const raw = requireObject(wait, ['rollout', 'condition', 'resources', 'timeoutS']);
  const fail = (message: string) => new ModuleArgsError(message, { field: 'wait' });
  if (raw.rollout !== undefined && typeof raw.rollout !== 'boolean') throw fail('wait.rollout must be true or false');
  if (raw.condition !== undefined && (typeof raw.condition !== 'string' || !CONDITION.test(raw.condition))) throw fail(`wait.condition must be a condition name such as Available or Ready=True, got ${JSON.stringify(raw.condition)}`);
  if (!raw.rollout && raw.condition === undefined) throw fail('wait needs rollout: true and/or a condition');
  if (raw.resources !== undefined) {
    if (raw.condition === undefined) throw fail('wait.resources names what to wait for the condition on; give a condition too');
    if (!Array.isArray(raw.resources) || raw.resources.length === 0 || !raw.resources.every((r) => typeof r === 'string' && RESOURCE.test(r))) {
      throw fail('wait.resources must be a non-empty list of kind[.group]/name, e.g. deployment.apps/cert-manager-webhook');
    }
  }
  if (raw.timeoutS === undefined) throw fail('wait.timeoutS (seconds) is required: a wait without a bound can hang a run');
  if (typeof raw.timeoutS !== 'number' || !Number.isInteger(raw.timeoutS) || raw.timeoutS <= 0) throw fail(`wait.timeoutS must be a positive whole number of seconds, got ${JSON.stringify(raw.timeoutS)}`);
}

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
      throw new ModuleArgsError(`${names} ${outside.length === 1 ? 'does' : 'do'} not match the prune selector ${JSON.stringify(args.prune.selector)}: kubectl would skip ${outside.length === 1 ? 'it' : 'them'}; label every object this task applies`, { field: 'prune' });
    }
  }
  return prepared;
}

function render(args: KubectlApplyArgs, env: PrepareEnv): string {
  return renderTemplate({ templatesDir: join(env.projectDir, 'templates'), src: args.src ?? '', vars: { ...env.vars, ...args.vars }, displayRoot: env.projectDir });
}

function serverSideOptions(args: KubectlApplyArgs): ServerSideOptions {
  return {
    fieldManager: args.fieldManager ?? 'ploy',
    forceConflicts: args.forceConflicts ?? false,
    namespace: args.namespace,
    kubeconfig: args.kubeconfig,
    pruneSelector: args.prune ? args.prune.selector : undefined,
  };
}

function waitOptions(args: KubectlApplyArgs): WaitOptions | undefined {
  if (!args.wait) return undefined;
  return { rollout: args.wait.rollout ?? false, condition: args.wait.condition, resources: args.wait.resources, timeoutS: args.wait.timeoutS };
}

/**
 * `kubectl diff` cannot dry-run an object whose namespace does not exist yet. When every namespace
 * it reports missing is one the manifest creates, the apply is simply new: return those namespaces.
 */
function namespacesToCreate(stderr: string, prepared: PreparedObjects): string[] | undefined {
  const lines = stderr.split('\n').filter((line) => line.trim() !== '');
  const pattern = /namespaces "([^"]+)" not found/;
  if (lines.length === 0 || !lines.every((line) => pattern.test(line))) return undefined;
  const missing = lines.map((line) => pattern.exec(line)?.[1] ?? '');
  const created = new Set(prepared.objects.filter((p) => p.plain.kind === 'Namespace' && p.plain.apiVersion === 'v1').map((p) => p.plain.metadata.name));
  const unique = [...new Set(missing)];
  return unique.every((ns) => created.has(ns)) ? unique : undefined;
}
