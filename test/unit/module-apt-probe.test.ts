import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { aptProbeScript, candidateScope, parseAptFacts, type CandidateScope } from '../../lib/modules/support/apt-facts.ts';
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
const notInstalledButListed = execFileSync('sh', ['-c', `for p in $(apt-cache pkgnames 2>/dev/null | sort | head -n 200); do dpkg-query -W -f='\${db:Status-Status}' "$p" 2>/dev/null | grep -qx installed || { echo "$p"; break; }; done`], { encoding: 'utf8' }).trim();

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
      const pkg = facts.packages.get(name);
      assert.is(pkg?.status, 'installed', name);
      assert.ok(pkg?.version, name);
      assert.is(pkg?.known, true, name);
      assert.is(pkg?.candidate, undefined, name);
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
      const { candidate: _ignored, ...installedPart } = fromAll.packages.get(name)!;
      const expected = INSTALLED.includes(name) ? installedPart : fromAll.packages.get(name);
      assert.equal(fromMissing.packages.get(name), expected, name);
    }
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

test('without cacheAge (no updateCache, no cacheValidTime) the probe leaves out the clock and the lists\' age', () => {
  const lean = aptProbeScript(['tree'], 'missing', { cacheAge: false });
  assert.not.match(lean, 'date +%s');
  assert.not.match(lean, 'stat -c %Y');
  assert.match(aptProbeScript(['tree'], 'missing'), 'now=$(date +%s)', 'the default keeps them');
  assert.is(parseAptFacts(new Map([['dpkg', ['tree installed 2.1.0-1']]]), ['tree']).cacheAge, undefined);
});

test.run();
