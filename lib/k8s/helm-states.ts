import { quote } from '../shell.ts';
import type { DeployedRelease, HelmTarget } from './helm-release.ts';

/**
 * Release states an interrupted or concurrent run leaves, and how to get out of them. Helm refuses
 * to upgrade a release whose last revision is pending-install, pending-upgrade or pending-rollback
 * ("another operation (install/upgrade/rollback) is in progress", helm pkg/action/upgrade.go
 * prepareUpgrade); it cannot tell a live operation from one whose helm was killed, so ploy does not
 * guess either: it fails before touching anything and says what to run once no helm is at work.
 *   - pending-install: nothing was ever deployed; `helm uninstall` removes what the install left.
 *   - pending-upgrade, pending-rollback: `helm rollback` to the last revision that was deployed
 *     (found with `helm history`), which supersedes the stuck one.
 *   - uninstalling: an uninstall stopped half way; `helm uninstall` again finishes it.
 * A failed release needs nothing: helm >= 3.3 upgrades it in place. An uninstalled one (kept with
 * --keep-history) is installed again.
 */
export const STUCK = new Set(['pending-install', 'pending-upgrade', 'pending-rollback', 'uninstalling', 'unknown']);

function flags(target: HelmTarget): string {
  return [`--namespace=${quote(target.namespace)}`, ...(target.kubeconfig ? [`--kubeconfig=${quote(target.kubeconfig)}`] : [])].join(' ');
}

/** `helm history` of the release as JSON (oldest first), to find the revision to roll back to. */
export function historyCommand(target: HelmTarget): string {
  return `helm history ${quote(target.release)} ${flags(target)} --output=json`;
}

/** The newest revision that was deployed (now deployed or superseded), from helm history's JSON. */
export function lastGoodRevision(historyJson: string): number | undefined {
  let entries: unknown;
  try {
    entries = JSON.parse(historyJson);
  } catch {
    return undefined;
  }
  if (!Array.isArray(entries)) return undefined;
  const good = (entries as Array<{ revision?: unknown; status?: unknown }>).filter((e) => e.status === 'deployed' || e.status === 'superseded').map((e) => Number(e.revision));
  return good.length > 0 ? Math.max(...good) : undefined;
}

/** The failure for a release stuck in `release.status`: what happened and the command that recovers. */
export function stuckMessage(release: DeployedRelease, target: HelmTarget, lastGood: number | undefined): string {
  const where = `release ${target.release} in ${target.namespace} is ${release.status} (revision ${release.revision}${release.updated ? `, since ${release.updated}` : ''})`;
  const uninstall = `helm uninstall ${quote(target.release)} ${flags(target)}`;
  if (release.status === 'uninstalling') return `${where}: an uninstall is running or was interrupted. Once no helm is at work on it, finish it with \`${uninstall}\`, then run again`;
  if (release.status === 'unknown') return `${where}: helm does not know its state; look at \`helm history ${quote(target.release)} ${flags(target)}\``;
  const busy = `${where}: a helm operation on it is running or was interrupted, and helm refuses any other ("another operation (install/upgrade/rollback) is in progress"). Once no helm is at work on it`;
  if (lastGood === undefined) return `${busy}, remove what the unfinished install left with \`${uninstall}\` (no revision of it was ever deployed), then run again`;
  return `${busy}, return it to revision ${lastGood}, its last deployed one, with \`helm rollback ${quote(target.release)} ${lastGood} ${flags(target)}\`, then run again`;
}
