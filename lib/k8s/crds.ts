import { apiGroup, type K8sObject } from './object.ts';

/** The CustomResourceDefinition among objects that defines kind in apiVersion (group/version), if any. */
export function definingCrd(objects: ReadonlyArray<K8sObject>, apiVersion: string, kind: string): K8sObject | undefined {
  const [group, version] = [apiGroup(apiVersion), apiVersion.slice(apiVersion.indexOf('/') + 1)];
  return objects.find((o) => {
    if (o.kind !== 'CustomResourceDefinition' || apiGroup(o.apiVersion) !== 'apiextensions.k8s.io') return false;
    const spec = o.spec as { group?: unknown; names?: { kind?: unknown }; versions?: Array<{ name?: unknown }> } | undefined;
    return spec?.group === group && spec.names?.kind === kind && (spec.versions ?? []).some((v) => v.name === version);
  });
}

/**
 * kubectl maps every object of an apply to its API before applying any (pkg/cmd/apply/apply.go
 * GetObjects), so an object whose kind a CRD of the same apply defines fails ("no matches for
 * kind"), CRD first or not. When the manifest has such objects, ploy applies the CRDs (and the
 * Namespaces) first, waits until they are Established, then applies everything: the CRDs to apply
 * first, or [] when one apply does.
 */
export function crdsFirst(objects: ReadonlyArray<K8sObject>): K8sObject[] {
  const needed = objects.filter((o) => definingCrd(objects, o.apiVersion, o.kind) !== undefined);
  if (needed.length === 0) return [];
  return objects.filter((o) => (o.kind === 'CustomResourceDefinition' && apiGroup(o.apiVersion) === 'apiextensions.k8s.io') || (o.kind === 'Namespace' && o.apiVersion === 'v1'));
}
