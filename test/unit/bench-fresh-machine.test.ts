/**
 * `bash scripts/setup.sh` on a fresh Debian 12 machine must be enough for `npm run bench` to start.
 * This machine may have more installed than setup.sh does, so each check goes from what the bench
 * needs to the Debian package that ships it (dpkg -S), and requires setup.sh to install that
 * package unless every Debian system has it (Essential, or priority required/important):
 *  - every module the bench's Ansible playbook uses resolves (ansible-doc), from a package
 *    setup.sh installs (ansible.posix.authorized_key is in Debian's `ansible`, not `ansible-core`);
 *  - ansible-playbook --syntax-check accepts the playbook with the bench's ansible.cfg;
 *  - every program the bench and its test bed run comes from such a package.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parse } from 'yaml';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const ansibleDir = join(root, 'bench', 'ansible');
const setupScript = readFileSync(join(root, 'scripts', 'setup.sh'), 'utf8');

/** The packages setup.sh installs: its `packages=(...)` list. */
function setupPackages(): string[] {
  const list = /^packages=\(([^)]*)\)/m.exec(setupScript)?.[1];
  assert.ok(list, 'scripts/setup.sh has a packages=(...) list');
  return list.trim().split(/\s+/);
}

/** The Debian package that ships a file (with merged /usr, dpkg may know /usr/bin/ip as /bin/ip). */
function packageOf(file: string): string {
  const real = realpathSync(file);
  for (const path of new Set([real, real.replace(/^\/usr\/(s?bin)\//, '/$1/')])) {
    const search = spawnSync('dpkg', ['-S', path], { encoding: 'utf8' });
    const owner = search.status === 0 ? search.stdout.split(':')[0]?.trim() : undefined;
    if (owner) return owner;
  }
  throw new assert.Assertion({ message: `no Debian package ships ${file} (dpkg -S)`, operator: 'packageOf', expects: 'a package', actual: real });
}

/** On every Debian system, fresh or not. */
function onEveryDebian(pkg: string): boolean {
  const [essential, priority] = execFileSync('dpkg-query', ['-W', '-f=${Essential} ${Priority}', pkg], { encoding: 'utf8' }).split(' ');
  return essential === 'yes' || priority === 'required' || priority === 'important';
}

function assertInstalledBySetup(what: string, file: string): void {
  const pkg = packageOf(file);
  assert.ok(
    setupPackages().includes(pkg) || onEveryDebian(pkg),
    `${what} (${file}) comes from the Debian package ${pkg}, which scripts/setup.sh does not install: a fresh machine cannot start the bench`,
  );
}

/** The module (fully qualified name) of each task of the bench playbook. */
function benchModules(): string[] {
  const plays = parse(readFileSync(join(ansibleDir, 'site.yml'), 'utf8')) as Array<{ tasks: Array<Record<string, unknown>> }>;
  const modules = plays.flatMap((play) =>
    play.tasks.map((task) => {
      const names = Object.keys(task).filter((key) => /^[a-z0-9_]+\.[a-z0-9_]+\.[a-z0-9_]+$/.test(key));
      assert.is(names.length, 1, `task "${String(task['name'])}" names one module by its full name (${Object.keys(task).join(', ')})`);
      return names[0] as string;
    }),
  );
  return [...new Set(modules)];
}

test('every module of the bench playbook resolves, from a package setup.sh installs', () => {
  const modules = benchModules();
  assert.ok(modules.includes('ansible.posix.authorized_key') && modules.includes('ansible.builtin.apt'), modules.join(', '));
  const docs = JSON.parse(execFileSync('ansible-doc', ['-t', 'module', '-j', ...modules], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })) as Record<string, { doc?: { filename?: string } }>;
  for (const module of modules) {
    const file = docs[module]?.doc?.filename;
    assert.ok(file, `${module} does not resolve here (ansible-doc): the bench's Ansible side cannot run (Debian's ansible package ships the ansible.* collections)`);
    assertInstalledBySetup(`the module ${module}`, file as string);
  }
});

test('ansible-playbook --syntax-check accepts the bench playbook with its ansible.cfg', () => {
  const check = spawnSync('ansible-playbook', ['--syntax-check', '-i', 'localhost,', 'site.yml'], {
    cwd: ansibleDir,
    encoding: 'utf8',
    env: { ...process.env, ANSIBLE_CONFIG: join(ansibleDir, 'ansible.cfg') },
  });
  assert.is(check.status, 0, `${check.stdout}${check.stderr}`);
});

/** What the bench (bench/lib) and its test bed (test/testbed) run on the controller. */
const PROGRAMS = [
  'ansible-playbook', // the bench's peer (bench/lib/tools.ts)
  'time', // /usr/bin/time: wall time and peak RSS of every run (bench/lib/tool-run.ts)
  'apt-get', // the bench's .debs (bench/lib/apt-repo.ts)
  'dpkg-scanpackages', // their index (bench/lib/apt-repo.ts)
  'ssh', // ControlPersist masters stopped (bench/lib/tools.ts)
  'ssh-keygen', // host and user keys (test/testbed)
  'debootstrap', // the base image (test/testbed/base-image.ts)
  'systemd-nspawn', // the hosts (test/testbed/container.ts)
  'ip', // netns, veths, bridges (test/testbed/network.ts)
  'nft', // NAT for the hosts (test/testbed/network.ts)
  'nsenter', // commands inside a host (test/testbed/running-testbed.ts)
  'flock', // one bed set-up at a time (test/testbed/file-lock.ts)
  'sysctl', // inotify limits (test/testbed)
  'mount',
  'chroot',
  'timeout',
];

test('every program the bench and its test bed run comes from a package setup.sh installs (or every Debian has)', () => {
  for (const program of PROGRAMS) {
    const path = spawnSync('sh', ['-c', 'command -v "$0"', program], { encoding: 'utf8', env: { ...process.env, PATH: `${process.env.PATH ?? ''}:/usr/sbin:/sbin` } }).stdout.trim();
    assert.ok(path.startsWith('/'), `${program} is not installed here`);
    assertInstalledBySetup(`the program ${program}`, path);
  }
});

test.run();
