import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Ajv, ErrorObject } from 'ajv';
import { lazyPackage } from '../lazy.ts';

/**
 * Where the schema of an apiVersion/kind comes from:
 * - built-in kinds (core, apps, networking.k8s.io, ...): the validators that `kubernetes-models`
 *   generates from the Kubernetes OpenAPI schema (Kubernetes ~1.33);
 * - cert-manager kinds (ClusterIssuer, Certificate, ...): `@kubernetes-models/cert-manager`;
 * - K3s's helm.cattle.io/v1 HelmChart and HelmChartConfig: the CRD schemas checked in under
 *   lib/k8s/schemas (their $comment names the source), compiled with ajv.
 * Validators are loaded on first use, so only the kinds a run meets cost anything, and ajv itself
 * only when a helm.cattle.io object is checked.
 */

/** Returns the schema violations of one object, [] when it is valid. */
export type ObjectValidator = (object: unknown) => ErrorObject[];

const requireModel = createRequire(import.meta.url);
const cache = new Map<string, ObjectValidator | null>();

const CERT_MANAGER_GROUPS = new Set(['cert-manager.io', 'acme.cert-manager.io']);
const OWN_SCHEMAS: Record<string, string> = {
  'helm.cattle.io/v1/HelmChart': 'HelmChart.helm.cattle.io-v1.json',
  'helm.cattle.io/v1/HelmChartConfig': 'HelmChartConfig.helm.cattle.io-v1.json',
};

/** Built-in API groups: the core group, dot-less groups (apps, batch, policy) and *.k8s.io. */
function isBuiltinGroup(group: string): boolean {
  return group === '' || !group.includes('.') || group.endsWith('.k8s.io');
}

/** The validator for apiVersion/kind, or null when no schema for it is known. */
export function validatorFor(apiVersion: string, kind: string): ObjectValidator | null {
  const key = `${apiVersion}/${kind}`;
  if (!cache.has(key)) cache.set(key, load(apiVersion, kind));
  return cache.get(key) ?? null;
}

function load(apiVersion: string, kind: string): ObjectValidator | null {
  // Only well-formed names become module paths.
  if (!/^([a-z0-9]([a-z0-9.-]*[a-z0-9])?\/)?v\d+((alpha|beta)\d+)?$/.test(apiVersion) || !/^[A-Z][A-Za-z0-9]*$/.test(kind)) return null;
  const own = OWN_SCHEMAS[`${apiVersion}/${kind}`];
  if (own) return compileOwn(own);
  const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
  if (CERT_MANAGER_GROUPS.has(group)) return modelValidator(`@kubernetes-models/cert-manager/${apiVersion}/${kind}`, apiVersion, kind);
  if (isBuiltinGroup(group)) return modelValidator(`kubernetes-models/${apiVersion}/${kind}`, apiVersion, kind);
  return null;
}

interface ModelClass {
  new (data: unknown): { validate(): void };
  readonly apiVersion?: string;
  readonly kind?: string;
}

/** A kubernetes-models class: its validate() throws an Error carrying ajv's errors. */
function modelValidator(specifier: string, apiVersion: string, kind: string): ObjectValidator | null {
  let exports: Record<string, unknown>;
  try {
    exports = requireModel(specifier) as Record<string, unknown>;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'MODULE_NOT_FOUND' || code === 'ERR_PACKAGE_PATH_NOT_EXPORTED') return null;
    throw error;
  }
  const model = exports[kind] as ModelClass | undefined;
  // The packages also export sub-types (DeploymentSpec); only top-level kinds carry apiVersion and kind.
  if (typeof model !== 'function' || model.apiVersion !== apiVersion || model.kind !== kind) return null;
  return (object) => {
    try {
      new model(object).validate();
      return [];
    } catch (error) {
      const errors = (error as { errors?: ErrorObject[] }).errors;
      if (Array.isArray(errors)) return errors;
      throw error;
    }
  };
}

type JsonSchema = { [keyword: string]: unknown };

/**
 * A CRD's structural schema: the API server rejects fields a schema does not declare (kubectl's
 * default field validation is Strict) unless x-kubernetes-preserve-unknown-fields says otherwise,
 * so object nodes with declared properties get additionalProperties: false here.
 */
function structural(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(structural);
  if (typeof schema !== 'object' || schema === null) return schema;
  const out: JsonSchema = {};
  for (const [keyword, value] of Object.entries(schema)) {
    out[keyword] = keyword === 'properties' && typeof value === 'object' && value !== null ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, structural(v)])) : structural(value);
  }
  if (out.properties && out['x-kubernetes-preserve-unknown-fields'] !== true && out.additionalProperties === undefined) out.additionalProperties = false;
  return out;
}

const loadAjv = lazyPackage<typeof import('ajv')>('ajv', () => require('ajv'));
let ajv: Ajv | undefined;

function compileOwn(file: string): ObjectValidator {
  ajv ??= new (loadAjv().Ajv)({ allErrors: true, strict: false, validateFormats: false });
  const raw = JSON.parse(readFileSync(new URL(`./schemas/${file}`, import.meta.url), 'utf8')) as JsonSchema;
  const { $comment: _source, ...schema } = raw;
  const check = ajv.compile(structural(schema) as JsonSchema);
  return (object) => (check(object) ? [] : [...(check.errors ?? [])]);
}
