/**
 * What `nginx_demo_enabled: false` removes: the objects of the role's kinds in its namespace that
 * carry its labels (SELECTOR), as `kubectl get -o json` lists them; nothing else, whatever its name.
 */
export interface Listed {
  kind: string;
  name: string;
}

/** The objects of a `kubectl get ... -o json` List; none for output that is not one (the preflight, check mode). */
export function listedObjects(json: string | undefined): Listed[] {
  if (!json) return [];
  let list: { items?: Array<{ kind?: string; apiVersion?: string; metadata?: { name?: string } }> };
  try {
    list = JSON.parse(json) as typeof list;
  } catch {
    return [];
  }
  return (list.items ?? []).flatMap((item) => {
    const name = item.metadata?.name;
    if (!item.kind || !name) return [];
    const group = item.apiVersion?.includes('/') ? item.apiVersion.split('/')[0] : '';
    return [{ kind: `${item.kind.toLowerCase()}${group ? `.${group}` : ''}`, name }];
  });
}

/** kind[.group]/name, as kubectl delete takes them. */
export function refs(objects: readonly Listed[]): string[] {
  return objects.map((o) => `${o.kind}/${o.name}`);
}

/** kubectl's message when a kind is not served (cert-manager not installed: no Certificate can exist). */
export function notServed(stderr: string | undefined): boolean {
  return /the server doesn't have a resource type/.test(stderr ?? '');
}
