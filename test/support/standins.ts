/**
 * The stand-in kubectl and helm (test/fixtures/bin): test fixtures that record every call, never
 * defaults. Installed on a test-bed host by the tests that use them.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Testbed } from '../testbed/bed.ts';

export const STANDIN_BIN = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'bin');
/** Where the stand-ins keep their state and call log on the host (their default). */
export const STANDIN_STATE = '/var/lib/ploy-standin';

export interface StandinCall {
  tool: 'kubectl' | 'helm';
  argv: string[];
  /** What the call read on stdin; null when it read none. */
  stdin: string | null;
}

/** Run a command on a bed host as root; its stdout, or an Error with its stderr. */
export async function onHost(bed: Testbed, host: string, command: string): Promise<string> {
  const result = await bed.sh(host, command);
  if (result.code !== 0) throw new Error(`${command}: rc=${result.code} ${result.stderr}`);
  return result.stdout;
}

/** Copy the stand-in kubectl and helm to /usr/local/bin on the host (on sudo's secure_path). */
export async function installStandins(bed: Testbed, host: string): Promise<void> {
  for (const tool of ['kubectl', 'helm']) {
    const encoded = readFileSync(join(STANDIN_BIN, tool)).toString('base64');
    await onHost(bed, host, `echo ${encoded} | base64 -d > /usr/local/bin/${tool} && chmod 0755 /usr/local/bin/${tool}`);
  }
  await resetStandins(bed, host);
}

/** Forget every object, release and logged call. */
export async function resetStandins(bed: Testbed, host: string): Promise<void> {
  await onHost(bed, host, `rm -rf ${STANDIN_STATE} && mkdir -m 0700 -p ${STANDIN_STATE}/kubectl/objects ${STANDIN_STATE}/helm`);
}

/** Every call the stand-ins received so far, in order. */
export async function standinCalls(bed: Testbed, host: string): Promise<StandinCall[]> {
  const text = await onHost(bed, host, `cat ${STANDIN_STATE}/calls.log 2>/dev/null || true`);
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as StandinCall);
}

/** A call counter: the calls made since the previous look. */
export function callWatcher(bed: Testbed, host: string): () => Promise<StandinCall[]> {
  let seen = 0;
  return async () => {
    const all = await standinCalls(bed, host);
    const fresh = all.slice(seen);
    seen = all.length;
    return fresh;
  };
}
