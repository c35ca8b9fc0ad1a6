/** A bed that must not outlive this process. */
export interface Stoppable {
  stop(): Promise<void>;
  stopSync(): void;
}

const live = new Set<Stoppable>();
let installed = false;

const SIGNALS: Array<[NodeJS.Signals, number]> = [
  ['SIGINT', 130],
  ['SIGTERM', 143],
  ['SIGHUP', 129],
];

/**
 * Stop the bed when the process ends however it ends: normally or by an uncaught error (the
 * 'exit' event, where cleanup must be synchronous), or by a signal (cleaned up, then exit 128+n).
 * Only SIGKILL escapes; `npm run testbed -- down --stale` removes what such a process left.
 */
export function stopOnExit(bed: Stoppable): void {
  live.add(bed);
  if (installed) return;
  installed = true;
  process.on('exit', () => {
    for (const each of live) each.stopSync();
  });
  for (const [name, code] of SIGNALS) {
    process.on(name, () => {
      void Promise.allSettled([...live].map((each) => each.stop())).then(() => process.exit(code));
    });
  }
}

export function forgetOnExit(bed: Stoppable): void {
  live.delete(bed);
}
