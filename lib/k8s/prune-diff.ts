import { parseAllDocuments, stringify } from 'yaml';
import { quote } from '../shell.ts';
import { targetFlags } from './kubectl-command.ts';
import { apiGroup } from './object.ts';
import type { Listed } from './prune.ts';

/** kind[.group]/name as kubectl get and delete take an object. */
export function listedRef(object: Listed): string {
  const group = apiGroup(object.apiVersion);
  return `${object.kind.toLowerCase()}${group ? `.${group}` : ''}/${object.name}`;
}

/** The objects grouped by namespace ('' for cluster-scoped), in first-seen order. */
export function byNamespace(objects: readonly Listed[]): Map<string, Listed[]> {
  const groups = new Map<string, Listed[]>();
  for (const object of objects) groups.set(object.namespace, [...(groups.get(object.namespace) ?? []), object]);
  return groups;
}

/** One command printing the objects to prune as YAML, one `kubectl get -o yaml` per namespace. */
export function pruneShowCommand(objects: readonly Listed[], kubeconfig: string | undefined): string {
  return [...byNamespace(objects)]
    .map(([namespace, group]) => ['kubectl get', ...group.map((o) => quote(listedRef(o))), '--output=yaml', ...targetFlags({ namespace: namespace || undefined, kubeconfig })].join(' '))
    .join(" && echo '---' && ");
}

/**
 * The objects as kubectl diff shows a deletion: a `diff -u -N LIVE/NAME MERGED/NAME` section per
 * object whose every line is removed, NAME as kubectl names objects ([group.]version.Kind.ns.name),
 * so Secret sections are masked as kubectl diff's are (diff-output.ts).
 */
export function pruneDiff(shown: string, objects: readonly Listed[]): string {
  const found = new Map<string, unknown>();
  for (const doc of parseAllDocuments(shown, { version: '1.1' })) {
    const value = doc.toJS() as { kind?: string; items?: unknown[] } | null;
    for (const item of value?.kind === 'List' && Array.isArray(value.items) ? value.items : value ? [value] : []) {
      const o = item as { apiVersion?: string; kind?: string; metadata?: { name?: string; namespace?: string } };
      found.set([apiGroup(o.apiVersion ?? ''), o.kind, o.metadata?.namespace ?? '', o.metadata?.name].join('/'), item);
    }
  }
  return objects
    .map((o) => {
      const [group, version] = [apiGroup(o.apiVersion), o.apiVersion.slice(o.apiVersion.indexOf('/') + 1)];
      const name = `${group ? `${group}.` : ''}${version}.${o.kind}.${o.namespace}.${o.name}`;
      const live = found.get([group, o.kind, o.namespace, o.name].join('/'));
      const lines = live === undefined ? [] : stringify(live, { version: '1.1', lineWidth: 0 }).trimEnd().split('\n');
      return [
        `diff -u -N /tmp/LIVE-ploy/${name} /tmp/MERGED-ploy/${name}`,
        `--- /tmp/LIVE-ploy/${name}`,
        `+++ /tmp/MERGED-ploy/${name}`,
        `@@ -1,${lines.length} +0,0 @@`,
        ...lines.map((l) => `-${l}`),
      ].join('\n');
    })
    .join('\n');
}
