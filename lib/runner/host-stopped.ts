/** Why a host stopped running its tasks. */
/** aborted: another host failed in a role with anyErrorsFatal. */
export type StopReason = 'failed' | 'unreachable' | 'interrupted' | 'aborted';

/**
 * Thrown out of a task call to unwind a role's run() once its host has failed, become unreachable
 * or the run was interrupted. The failure is already recorded (stats, events) before it is thrown,
 * so a role that catches it by accident changes nothing: the host stays failed, its handlers do not
 * run, and every later task call on that host throws it again. Role code should not catch errors
 * from task calls; to continue after a failing task, pass `ignoreErrors: true` instead.
 */
export class HostStopped extends Error {
  constructor(
    readonly host: string,
    readonly reason: StopReason,
  ) {
    super(`host ${host} stopped (${reason})`);
    this.name = 'HostStopped';
  }
}
