import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { aptProbeScript, candidateScope, parseAptFacts, type CandidateScope, type PackageFacts } from '../../lib/modules/support/apt-facts.ts';
import { decidePackages } from '../../lib/modules/support/apt-decide.ts';
import { parseProbeOutput } from '../../lib/modules/support/probe.ts';

/**
 * The probe script runs here, on this Debian controller's own dpkg and apt-cache, under dash (what
 * /bin/sh is) and bash (root's login shell on the hosts). An apt-cache on PATH records the names it
 * is asked about, then runs the real one.
 */
const dir = mkdtempSync(join(tmpdir(), 'ploy-apt-probe-'));
const calls = join(dir, 'apt-cache-calls');
writeFileSync(join(dir, 'apt-cache'), `#!/bin/sh\necho "$*" >> ${calls}\nexec /usr/bin/apt-cache "$@"\n`);
chmodSync(join(dir, 'apt-cache'), 0o755);

/** dpkg is installed on every Debian; the other two are not packages at all. */
const INSTALLED = ['dpkg', 'coreutils'];
const UNKNOWN = ['ploy-no-such-package', 'ploy-no-such-either'];
/** A package in this machine's lists that is not installed, when the lists have one. */
const notInstalledButListed = execFileSync(
  'sh',
  ['-c', `for p in $(apt-cache pkgnames 2>/dev/null | sort | head -n 200); do dpkg-query -W -f='\${db:Status-Status}' "$p" 2>/dev/null | grep -qx installed || { echo "$p"; break; }; done`],
  { encoding: 'utf8' },
).trim();

/**
 * The expectation, asked of dpkg-query and apt-cache directly (once, for every name the tests use;
 * not through the probe script nor its parser): status and installed version from dpkg, the
 * candidate from apt-cache policy when `withCandidate`, known when apt lists it or dpkg has it installed.
 */
function truth(name: string, withCandidate: boolean): PackageFacts {
  const { status = 'not-installed', version = '' } = TRUTH.dpkg.get(name) ?? {};
  const installed = ['installed', 'triggers-pending', 'triggers-awaited'].includes(status);
  const listed = TRUTH.policy.has(name);
  const candidate = withCandidate ? TRUTH.policy.get(name) : undefined;
  return { status, ...(installed ? { version } : {}), ...(candidate && candidate !== '(none)' ? { candidate } : {}), known: (withCandidate && listed) || installed };
}

const TRUTH = (() => {
  const names = [...INSTALLED, ...UNKNOWN, ...(notInstalledButListed ? [notInstalledButListed] : [])];
  const env = { ...process.env, LC_ALL: 'C' };
  const dpkg = new Map<string, { status: string; version: string }>();
  for (const line of spawnSync('dpkg-query', ['-W', '-f=${Package}\t${db:Status-Status}\t${Version}\n', ...names], { encoding: 'utf8', env }).stdout.split('\n')) {
    const [name, status, version] = line.split('\t');
    if (name && status) dpkg.set(name, { status, version: version ?? '' });
  }
  const policy = new Map<string, string>();
  let current = '';
  for (const line of spawnSync('apt-cache', ['policy', ...names], { encoding: 'utf8', env }).stdout.split('\n')) {
    const header = /^(\S+?)(:[a-z0-9]+)?:$/.exec(line);
    if (header) current = header[1] ?? '';
    const candidate = /^ {2}Candidate: (\S+)$/.exec(line);
    if (candidate && current) policy.set(current, candidate[1] ?? '');
  }
  return { dpkg, policy };
})();

function probe(shell: string, names: readonly string[], scope: CandidateScope | boolean, path = dir): { stdout: string; asked: string[] } {
  rmSync(calls, { force: true });
  const stdout = execFileSync(shell, ['-c', aptProbeScript(names, scope)], { encoding: 'utf8', env: { ...process.env, PATH: `${path}:${process.env.PATH}` } });
  let asked: string[] = [];
  try {
    asked = readFileSync(calls, 'utf8').trim().split('\n');
  } catch {
    // apt-cache did not run
  }
  return { stdout, asked };
}

for (const shell of ['sh', 'bash']) {
  test(`${shell}: present with every package installed runs no apt-cache policy`, () => {
    const { stdout, asked } = probe(shell, INSTALLED, 'missing');
    assert.equal(asked, []);
    const facts = parseAptFacts(parseProbeOutput(stdout), INSTALLED);
    for (const name of INSTALLED) {
      assert.equal(facts.packages.get(name), truth(name, false), name);
      assert.is(facts.packages.get(name)?.status, 'installed', name);
    }
    assert.equal(decidePackages(facts, INSTALLED, 'present', false), { install: [], upgrade: [], remove: [], unknown: [] });
  });

  test(`${shell}: present asks apt-cache only about the packages dpkg does not report installed`, () => {
    const names = [INSTALLED[0]!, ...UNKNOWN, ...(notInstalledButListed ? [notInstalledButListed] : []), INSTALLED[1]!];
    const missing = probe(shell, names, 'missing');
    assert.equal(missing.asked, [`policy ${names.filter((n) => !INSTALLED.includes(n)).join(' ')}`]);
    const all = probe(shell, names, 'all');
    assert.equal(all.asked, [`policy ${names.join(' ')}`]);
    const fromMissing = parseAptFacts(parseProbeOutput(missing.stdout), names);
    const fromAll = parseAptFacts(parseProbeOutput(all.stdout), names);
    for (const name of names) {
      assert.equal(fromMissing.packages.get(name), truth(name, !INSTALLED.includes(name)), `${name}, candidates of the missing ones only`);
      assert.equal(fromAll.packages.get(name), truth(name, true), `${name}, every candidate`);
    }
    assert.equal(fromMissing.packages.get(UNKNOWN[0]!), { status: 'not-installed', known: false });
    assert.equal(decidePackages(fromMissing, names, 'present', false), decidePackages(fromAll, names, 'present', false));
  });

  test(`${shell}: latest asks about every package, absent about none, as true and false did`, () => {
    assert.equal(probe(shell, INSTALLED, 'all').asked, [`policy ${INSTALLED.join(' ')}`]);
    assert.equal(probe(shell, INSTALLED, 'none').asked, []);
    assert.is(aptProbeScript(INSTALLED, true), aptProbeScript(INSTALLED, 'all'));
    assert.is(aptProbeScript(INSTALLED, false), aptProbeScript(INSTALLED, 'none'));
    assert.not.match(aptProbeScript([], 'missing'), 'dpkg-query');
  });
}

test('present: triggers-pending and triggers-awaited count as installed, half-installed does not', () => {
  const fake = join(dir, 'fake-dpkg');
  execFileSync('mkdir', ['-p', fake]);
  // dpkg-query answering as a host whose packages sit in states this controller cannot be put in.
  writeFileSync(join(fake, 'dpkg-query'), "#!/bin/sh\nprintf 'dpkg=a triggers-pending 1\\ndpkg=b triggers-awaited 2\\ndpkg=c half-installed 3\\n'\n");
  chmodSync(join(fake, 'dpkg-query'), 0o755);
  const { stdout, asked } = probe('sh', ['a', 'b', 'c'], 'missing', `${dir}:${fake}`);
  assert.equal(asked, ['policy c']);
  const facts = parseAptFacts(parseProbeOutput(stdout), ['a', 'b', 'c']);
  assert.equal(facts.packages.get('a'), { status: 'triggers-pending', version: '1', known: true });
  assert.equal(facts.packages.get('c'), { status: 'half-installed', known: false });
});

test('candidateScope: present needs the missing ones, latest all, absent none', () => {
  assert.equal([candidateScope('present'), candidateScope('latest'), candidateScope('absent')], ['missing', 'all', 'none']);
});

test("without cacheAge (no updateCache, no cacheValidTime) the probe leaves out the clock and the lists' age", () => {
  const lean = aptProbeScript(['tree'], 'missing', { cacheAge: false });
  assert.not.match(lean, 'date +%s');
  assert.not.match(lean, 'stat -c %Y');
  assert.match(aptProbeScript(['tree'], 'missing'), 'now=$(date +%s)', 'the default keeps them');
  assert.is(parseAptFacts(new Map([['dpkg', ['tree installed 2.1.0-1']]]), ['tree']).cacheAge, undefined);
});

test.run();
