/**
 * The stand-in kubectl and helm (test/fixtures/bin): test fixtures that record every call, never
 * defaults. Installed on a test-bed host by the tests that use them.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BedModuleHost } from './module-host.ts';

/** A bed host's root shell (outside SSH), where the stand-ins are installed and read. */
type RootShell = Pick<BedModuleHost, 'sh'>;

export const STANDIN_BIN = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'bin');
/** Where the stand-ins keep their state and call log on the host (their default). */
export const STANDIN_STATE = '/var/lib/ploy-standin';

export interface StandinCall {
  tool: 'kubectl' | 'helm';
  argv: string[];
  /** What the call read on stdin; null when it read none. */
  stdin: string | null;
}

/** Copy the stand-in kubectl and helm to /usr/local/bin on the host (on sudo's secure_path). */
export async function installStandins(host: RootShell): Promise<void> {
  for (const tool of ['kubectl', 'helm']) {
    const encoded = readFileSync(join(STANDIN_BIN, tool)).toString('base64');
    await host.sh(`echo ${encoded} | base64 -d > /usr/local/bin/${tool} && chmod 0755 /usr/local/bin/${tool}`);
  }
  await resetStandins(host);
}

/** Forget every object, release and logged call. */
export async function resetStandins(host: RootShell): Promise<void> {
  await host.sh(`rm -rf ${STANDIN_STATE} && mkdir -m 0700 -p ${STANDIN_STATE}/kubectl/objects ${STANDIN_STATE}/helm`);
}

/** Every call the stand-ins received so far, in order. */
export async function standinCalls(host: RootShell): Promise<StandinCall[]> {
  const text = await host.sh(`cat ${STANDIN_STATE}/calls.log 2>/dev/null || true`);
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as StandinCall);
}

/** A call counter: the calls made since the previous look. */
export function callWatcher(host: RootShell): () => Promise<StandinCall[]> {
  let seen = 0;
  return async () => {
    const all = await standinCalls(host);
    const fresh = all.slice(seen);
    seen = all.length;
    return fresh;
  };
}
