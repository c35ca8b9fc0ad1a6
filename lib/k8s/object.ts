export interface K8sMetadata {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  [field: string]: unknown;
}

/**
 * One Kubernetes object as kubectl takes it: apiVersion, kind, metadata.name, then its own fields
 * (plain data; a Secret anywhere is revealed only into kubectl's stdin). Checked at run time.
 */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: K8sMetadata;
  [field: string]: unknown;
}

/** Where an object came from, for messages: "document 2, line 14" of a manifest, or "objects[1]". */
export interface ObjectOrigin {
  /** Names the argument or the file: "manifest", "objects[1]", "templates/app/deploy.yaml.hbs (rendered)". */
  readonly source: string;
  /** 1-based YAML document number, when from a manifest. */
  readonly document?: number;
  /** The 1-based line where a field (dotted path) starts in the source text, when known. */
  readonly lineOf?: (path: ReadonlyArray<string | number>) => number | undefined;
}

export interface LocatedObject {
  readonly object: K8sObject;
  readonly origin: ObjectOrigin;
}

/** "Deployment web/nginx", "Namespace web": how objects are named in every message. */
export function objectRef(object: Pick<K8sObject, 'kind' | 'metadata'>): string {
  const { name, namespace } = object.metadata;
  return `${object.kind} ${namespace ? `${namespace}/` : ''}${name}`;
}

/** The API group of an apiVersion: '' for the core group ('v1'), 'apps' for 'apps/v1'. */
export function apiGroup(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash === -1 ? '' : apiVersion.slice(0, slash);
}

/** kind.group/name as `kubectl rollout`/`kubectl wait` take it: deployment.apps/web, secret/token. */
export function resourceRef(object: Pick<K8sObject, 'apiVersion' | 'kind' | 'metadata'>): string {
  const group = apiGroup(object.apiVersion);
  return `${object.kind.toLowerCase()}${group ? `.${group}` : ''}/${object.metadata.name}`;
}

/** Where in a manifest a field is: "document 2, line 14", or "" when nothing is known. */
export function describeOrigin(origin: ObjectOrigin, path: ReadonlyArray<string | number> = []): string {
  const parts: string[] = [];
  if (origin.document !== undefined) parts.push(`document ${origin.document}`);
  const line = origin.lineOf?.(path);
  if (line !== undefined) parts.push(`line ${line}`);
  return parts.join(', ');
}

/** A JSON-style path as a field name: ['spec', 'containers', 0, 'image'] -> spec.containers[0].image. */
export function fieldPath(path: ReadonlyArray<string | number>): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(part)) out += out ? `.${part}` : part;
    else out += `[${JSON.stringify(part)}]`;
  }
  return out;
}
