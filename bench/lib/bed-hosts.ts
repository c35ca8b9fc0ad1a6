import { PloyError } from '../../lib/errors.ts';
import { quote } from '../../lib/shell.ts';
import type { Testbed } from '../../test/testbed/bed.ts';
import { sourcesList } from './apt-repo.ts';
import { convergedFacts, differences, freshFacts, parseFacts, probeScript } from './host-state.ts';
import { resetScript } from './reset.ts';

/** Run a script as root inside every host at once (nsenter, no SSH); fail naming the host. */
async function onEveryHost(bed: Testbed, what: string, script: (host: string) => string): Promise<Record<string, string>> {
  const outputs = await Promise.all(
    bed.hosts.map(async (host) => {
      const result = await bed.sh(host.name, script(host.name));
      if (result.code !== 0) throw new PloyError(`bench: ${what} failed on ${host.name} (rc=${result.code}): ${result.stderr.trim() || result.stdout.trim()}`);
      return [host.name, result.stdout] as const;
    }),
  );
  return Object.fromEntries(outputs);
}

/** The controller's repository as every host's only apt source, its index fetched once (set-up, not timed). */
export async function useLocalAptRepo(bed: Testbed, url: string): Promise<void> {
  const list = sourcesList(url);
  await onEveryHost(bed, 'pointing apt at the local repository', () =>
    [`rm -f /etc/apt/sources.list.d/*`, `printf '%s' ${quote(list)} > /etc/apt/sources.list`, 'apt-get update -q >/dev/null'].join(' && '),
  );
}

/** Undo the 12 things on every host, then check that they are all undone. */
export async function resetHosts(bed: Testbed): Promise<void> {
  await onEveryHost(bed, 'resetting', resetScript);
  await expectHosts(bed, 'fresh');
}

/** Read every host's facts and throw, listing each difference, unless all hosts are as expected. */
export async function expectHosts(bed: Testbed, state: 'fresh' | 'converged', after = ''): Promise<void> {
  const outputs = await onEveryHost(bed, 'probing', probeScript);
  const problems = bed.hosts.flatMap((host) => {
    const expected = state === 'fresh' ? freshFacts() : convergedFacts(host.name, host.ip);
    return differences(expected, parseFacts(outputs[host.name] ?? '')).map((d) => `${host.name}: ${d}`);
  });
  if (problems.length > 0) {
    throw new PloyError(
      `bench: hosts are not ${state}${after ? ` after ${after}` : ''}:\n  ${problems.slice(0, 20).join('\n  ')}${problems.length > 20 ? `\n  ... ${problems.length - 20} more` : ''}`,
    );
  }
}
