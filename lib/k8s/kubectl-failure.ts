/**
 * What a failed kubectl (or helm) call says, read from its stderr: the cases a module answers
 * differently from a plain failure. The texts are kubectl's, helm's and the API server's own:
 *  - no cluster: "The connection to the server H was refused ...", "Unable to connect to the
 *    server: ...", "dial tcp ...: connect: connection refused" (kubectl pkg/cmd/util/helpers.go,
 *    Go's net/http), "Kubernetes cluster unreachable" (helm pkg/kube/client.go IsReachable),
 *    "stat <kubeconfig>: no such file or directory" (client-go clientcmd/loader.go);
 *  - a kind the cluster does not serve: "no matches for kind "K" in version "G/V"" (cli-runtime
 *    pkg/resource/mapper.go);
 *  - a field owned by another manager: "Apply failed with N conflict(s): ..." (apimachinery
 *    pkg/util/managedfields/internal/conflict.go);
 *  - a namespace that does not exist yet: `namespaces "x" not found`;
 *  - no kubectl or helm on the host yet: the shell's "kubectl: not found" (exit 127), before a role
 *    that installs it has run (check mode on fresh machines).
 */
export type KubectlFailure =
  | { readonly kind: 'unreachable'; readonly reason: string }
  | { readonly kind: 'not-served'; readonly objectKind: string; readonly apiVersion: string }
  | { readonly kind: 'conflict'; readonly conflicts: ReadonlyArray<FieldConflict> }
  | { readonly kind: 'namespaces'; readonly namespaces: readonly string[] }
  | { readonly kind: 'not-installed'; readonly tool: string };

export interface FieldConflict {
  /** The other manager as the API server describes it: `"kubectl-patch" using apps/v1 at 2026-...`. */
  readonly manager: string;
  /** Field paths: `.spec.replicas`, `.spec.template.spec.containers[name="web"].image`. */
  readonly fields: readonly string[];
}

const UNREACHABLE =
  /connection refused|was refused - did you specify the right host or port|Unable to connect to the server|cluster unreachable|no such host|i\/o timeout|no route to host|network is unreachable/i;
const NOT_INSTALLED = /^(?:\/bin\/sh: \d+: |sh: \d+: |bash: (?:line \d+: )?)?(kubectl|helm): (?:command )?not found$/m;
const KLOG = /^[EWIF]\d{4} \d\d:\d\d:\d\d/;

/** The line of stderr that says what went wrong: kubectl's own error line, not its klog chatter. */
export function errorLine(stderr: string): string {
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !KLOG.test(l));
  return lines.find((l) => /^(error: |Error: |Error from server|The connection to the server|Unable to connect)/.test(l)) ?? lines.at(-1) ?? '';
}

export function classifyKubectlFailure(stderr: string, kubeconfig: string | undefined): KubectlFailure | undefined {
  const notInstalled = NOT_INSTALLED.exec(stderr);
  if (notInstalled) return { kind: 'not-installed', tool: notInstalled[1] ?? '' };
  const notServed = /no matches for kind "([^"]+)" in version "([^"]+)"/.exec(stderr);
  if (notServed) return { kind: 'not-served', objectKind: notServed[1] ?? '', apiVersion: notServed[2] ?? '' };
  const conflicts = parseConflicts(stderr);
  if (conflicts.length > 0) return { kind: 'conflict', conflicts };
  const missingConfig = kubeconfig !== undefined && stderr.includes(`stat ${kubeconfig}: no such file or directory`);
  // "Error from server" is the API server answering: a refusal inside it (an admission webhook
  // that does not answer yet) is the webhook's, not the cluster's.
  const serverAnswered = /Error from server/.test(stderr);
  if (missingConfig || (!serverAnswered && UNREACHABLE.test(stderr))) return { kind: 'unreachable', reason: errorLine(stderr) };
  const namespaces = [...stderr.matchAll(/namespaces "([^"]+)" not found/g)].map((m) => m[1] ?? '');
  if (namespaces.length > 0) return { kind: 'namespaces', namespaces: [...new Set(namespaces)] };
  return undefined;
}

/** The conflicts of an "Apply failed with N conflict(s): ..." message, grouped by manager. */
export function parseConflicts(stderr: string): FieldConflict[] {
  const one = /Apply failed with 1 conflict: conflict with ("(?:[^"\\]|\\.)*"[^\n]*?): (\.\S*)/.exec(stderr);
  if (one) return [{ manager: one[1] ?? '', fields: [one[2] ?? ''] }];
  const start = /Apply failed with \d+ conflicts: /.exec(stderr);
  if (!start) return [];
  const out: Array<{ manager: string; fields: string[] }> = [];
  for (const line of stderr.slice(start.index + start[0].length).split('\n')) {
    const head = /^conflicts with ("(?:[^"\\]|\\.)*".*):$/.exec(line.trim());
    if (head) out.push({ manager: head[1] ?? '', fields: [] });
    else if (/^- \S/.test(line.trim()) && out.length > 0) out.at(-1)?.fields.push(line.trim().slice(2));
    else if (out.length > 0) break;
  }
  return out;
}

/** One sentence naming each other manager and the fields it holds. */
export function describeConflicts(conflicts: ReadonlyArray<FieldConflict>): string {
  return conflicts.map((c) => `${c.fields.join(', ')} ${c.fields.length === 1 ? 'is' : 'are'} owned by field manager ${c.manager}`).join('; ');
}
