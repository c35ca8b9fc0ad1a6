import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseAptFacts } from '../../lib/modules/support/apt-facts.ts';
import { decidePackages, describeDecision, formatAge, parseAptOutput } from '../../lib/modules/support/apt-decide.ts';
import { parseProbeOutput } from '../../lib/modules/support/probe.ts';

const PROBE = [
  'now=1000000',
  'stamp=996400',
  'sources=990000',
  'dpkg=curl installed 7.88.1-10',
  'dpkg=jq installed 1.6-2.1',
  'dpkg=tree config-files 2.1.0-1',
  'dpkg=gone not-installed ',
  'policy=curl 7.88.1-10',
  'policy=jq 1.6-2.2',
  'policy=tree 2.1.0-1',
  'policy=mail-transport-agent (none)',
  'policy=libfoo:amd64 2.0',
  '',
].join('\n');
const NAMES = ['curl', 'jq', 'tree', 'gone', 'mail-transport-agent', 'libfoo', 'nosuch'];
const facts = parseAptFacts(parseProbeOutput(PROBE), NAMES);

test('parseAptFacts: dpkg status and version, apt candidate, the lists age; absence is data', () => {
  assert.equal(facts.packages.get('curl'), { status: 'installed', version: '7.88.1-10', candidate: '7.88.1-10', known: true });
  assert.equal(facts.packages.get('tree'), { status: 'config-files', candidate: '2.1.0-1', known: true });
  assert.equal(facts.packages.get('mail-transport-agent'), { status: 'not-installed', known: true });
  assert.equal(facts.packages.get('libfoo'), { status: 'not-installed', candidate: '2.0', known: true }, 'an architecture suffix is dropped');
  assert.equal(facts.packages.get('nosuch'), { status: 'not-installed', known: false });
  assert.is(facts.cacheAge, 3600);
  assert.is(facts.sourcesChanged, false);
  assert.is(parseAptFacts(parseProbeOutput('now=100\nlists=50\nsources=60\n'), []).sourcesChanged, true, 'a sources file newer than the last update');
  assert.is(parseAptFacts(parseProbeOutput('now=100\nsources=\n'), []).cacheAge, undefined, 'never updated');
});

test('decidePackages: present installs only what is missing; latest also upgrades; unknown and virtual names reported', () => {
  const present = decidePackages(facts, ['curl', 'jq', 'tree', 'nosuch', 'mail-transport-agent'], 'present', false);
  assert.equal(present, {
    install: [{ name: 'tree', version: '2.1.0-1' }],
    upgrade: [],
    remove: [],
    unknown: [
      { name: 'nosuch', virtual: false },
      { name: 'mail-transport-agent', virtual: true },
    ],
  });
  const latest = decidePackages(facts, ['curl', 'jq'], 'latest', false);
  assert.equal(latest.upgrade, [{ name: 'jq', from: '1.6-2.1', to: '1.6-2.2' }]);
  assert.is(describeDecision(latest, false), 'upgrade jq 1.6-2.1 -> 1.6-2.2');
});

test('decidePackages: absent removes installed ones; purge also takes packages whose config files remain', () => {
  const remove = decidePackages(facts, ['curl', 'tree', 'gone', 'nosuch'], 'absent', false);
  assert.equal(remove.remove, [{ name: 'curl', version: '7.88.1-10' }]);
  const purge = decidePackages(facts, ['curl', 'tree', 'gone'], 'absent', true);
  assert.is(describeDecision(purge, true), 'purge curl 7.88.1-10, tree (config files)');
});

test('parseAptOutput: what apt set up and removed, dependencies included', () => {
  const out =
    'Unpacking libonig5:amd64 (6.9.8-1) ...\nSetting up libonig5:amd64 (6.9.8-1) ...\nSetting up jq (1.6-2.1) ...\nRemoving tree (2.1.0-1) ...\nPurging configuration files for tree (2.1.0-1) ...\n';
  assert.equal(parseAptOutput(out), { installed: { libonig5: '6.9.8-1', jq: '1.6-2.1' }, removed: ['tree'] });
  assert.equal([formatAge(40), formatAge(600), formatAge(10800)], ['40 s', '10 min', '3 h']);
});

test.run();
