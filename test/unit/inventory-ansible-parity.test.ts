/**
 * ploy's inventory against Ansible's own: the same fixtures through `ansible-inventory --list`
 * (variables and group membership) and through Ansible's InventoryManager (host patterns). Skipped,
 * and said so, where ansible-core is not installed.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { loadInventory } from '../../lib/inventory/load.ts';
import { isSecret } from '../../lib/secret.ts';
import { patternCases } from '../fixtures/inventory/patterns/cases.ts';
import { beforeAll } from '../support/before-all.ts';

const run = promisify(execFile);
const fixtures = fileURLToPath(new URL('../fixtures/inventory/', import.meta.url));
const ansibleInventory = spawnSync('sh', ['-c', 'command -v ansible-inventory'], { encoding: 'utf8' }).stdout.trim();
const sources = ['nested/hosts.yml', 'precedence/hosts.yml', 'k3s/hosts.yml', 'patterns/hosts.yml', 'dir-inventory'];

interface AnsibleList {
  _meta: { hostvars: Record<string, Record<string, unknown>> };
  [group: string]: { hosts?: string[]; children?: string[] } | AnsibleList['_meta'];
}

let home = '';
const env = (): NodeJS.ProcessEnv => ({ ...process.env, ANSIBLE_HOME: home, ANSIBLE_LOCAL_TEMP: join(home, 'tmp'), ANSIBLE_NOCOLOR: '1' });

beforeAll(test, async () => {
  home = await mkdtemp(join(tmpdir(), 'ploy-ansible-'));
});
test.after(async () => {
  await rm(home, { recursive: true, force: true });
});

function plain(vars: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, isSecret(v) ? v.reveal() : v]));
}

/** Every host of a group in Ansible's --list output, through its children. */
function ansibleHostsOf(list: AnsibleList, group: string): string[] {
  const entry = list[group] as { hosts?: string[]; children?: string[] } | undefined;
  const hosts = new Set(entry?.hosts ?? []);
  for (const child of entry?.children ?? []) for (const host of ansibleHostsOf(list, child)) hosts.add(host);
  return [...hosts].sort();
}

const maybe = ansibleInventory ? test : test.skip;
if (!ansibleInventory) console.log('ansible-inventory not found: the Ansible parity tests are skipped');

for (const source of sources) {
  maybe(`${source}: every host's vars and every group's hosts match ansible-inventory --list`, async () => {
    const path = `${fixtures}${source}`;
    const { stdout } = await run(ansibleInventory, ['-i', path, '--list'], { env: env() });
    const list = JSON.parse(stdout) as AnsibleList;
    const ours = await loadInventory(path);
    const hosts = ansibleHostsOf(list, 'all');
    assert.equal([...ours.hosts.keys()].sort(), hosts, 'hosts');
    for (const name of hosts) {
      // --list leaves out the hosts that have no variables
      assert.equal(plain(ours.host(name).vars), list._meta.hostvars[name] ?? {}, `vars of ${name}`);
    }
    for (const group of ours.groups.keys()) {
      assert.equal([...(ours.groups.get(group)?.hosts ?? [])].sort(), ansibleHostsOf(list, group), `hosts of group ${group}`);
    }
  });
}

maybe('host patterns select the same hosts as Ansible (as sets: Ansible orders by pattern)', async () => {
  const shebang = (await readFile(ansibleInventory, 'utf8')).split('\n')[0] ?? '';
  const [python, ...pythonArgs] = shebang
    .replace(/^#!\s*/, '')
    .trim()
    .split(/\s+/);
  const path = `${fixtures}patterns/hosts.yml`;
  const request = JSON.stringify({ inventory: path, patterns: patternCases.map(([pattern]) => pattern) });
  const child = spawnSync(python as string, [...pythonArgs, `${fixtures}ansible-patterns.py`], { input: request, encoding: 'utf8', env: env() });
  assert.is(child.status, 0, child.stderr);
  const answers = JSON.parse(child.stdout) as Record<string, string[] | { error: string }>;
  const ours = await loadInventory(path);
  for (const [pattern] of patternCases) {
    const theirs = answers[pattern];
    assert.ok(Array.isArray(theirs), `Ansible failed on "${pattern}": ${JSON.stringify(theirs)}`);
    assert.equal(ours.select(pattern).sort(), [...theirs].sort(), `pattern "${pattern}"`);
  }
});

test.run();
