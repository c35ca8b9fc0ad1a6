import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { $ } from 'zx';
import type { ToolCommand } from './tool-run.ts';

/** What both tools are run against. */
export interface ToolSetup {
  /** The repository root (package.json). */
  root: string;
  inventoryPath: string;
  forks: number;
  /** HOME for both tools: holds only .ssh/known_hosts, the bed's host keys. */
  home: string;
}

/**
 * A HOME whose ~/.ssh/known_hosts is the bed's: ploy checks host keys against ~/.ssh/known_hosts
 * (it does not read UserKnownHostsFile from the -F config), Ansible's ssh reads the bed's file
 * through -F; so both refuse an unknown key, against the same keys.
 */
export function prepareHome(dir: string, knownHostsPath: string): string {
  const home = join(dir, 'home');
  mkdirSync(join(home, '.ssh'), { recursive: true, mode: 0o700 });
  copyFileSync(knownHostsPath, join(home, '.ssh', 'known_hosts'));
  return home;
}

function baseEnv(home: string): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin', HOME: home, LANG: 'C.UTF-8', NO_COLOR: '1', TERM: 'dumb' };
}

/** ploy as its users run a playbook: `tsx bench/play/site.ts -i INVENTORY --forks N [--check]`. */
export function ployCommand(setup: ToolSetup, options: { check: boolean; verbose?: boolean; nodeOptions?: string }): ToolCommand {
  const argv = [join(setup.root, 'node_modules', '.bin', 'tsx'), 'bench/play/site.ts', '-i', setup.inventoryPath, '--forks', String(setup.forks)];
  if (options.check) argv.push('--check');
  if (options.verbose) argv.push('-v');
  const env = baseEnv(setup.home);
  if (options.nodeOptions) env.NODE_OPTIONS = options.nodeOptions;
  return { tool: 'ploy', argv, cwd: setup.root, env };
}

/**
 * ansible-playbook with bench/ansible/ansible.cfg, its SSH control sockets in a directory of this
 * run only: ControlPersist serves the run's own tasks, and no master is left over from the run before.
 */
export function ansibleCommand(setup: ToolSetup, options: { check: boolean; controlDir: string }): ToolCommand {
  const dir = join(setup.root, 'bench', 'ansible');
  const argv = ['ansible-playbook', '-i', setup.inventoryPath, 'site.yml', '--forks', String(setup.forks)];
  if (options.check) argv.push('--check');
  const env = { ...baseEnv(setup.home), ANSIBLE_CONFIG: join(dir, 'ansible.cfg'), ANSIBLE_SSH_CONTROL_PATH_DIR: options.controlDir };
  return { tool: 'ansible', argv, cwd: dir, env };
}

/** A fresh directory for one Ansible run's control sockets. */
export function newControlDir(parent: string): string {
  mkdirSync(parent, { recursive: true });
  return mkdtempSync(join(parent, 'cp-'));
}

/** Ask every ControlPersist master of a run to exit (`ssh -O exit`), then remove its directory. */
export async function stopControlMasters(controlDir: string): Promise<void> {
  if (!existsSync(controlDir)) return;
  await Promise.all(
    readdirSync(controlDir).map((socket) => $({ quiet: true, nothrow: true })`ssh -o ControlPath=${join(controlDir, socket)} -O exit bench-control-master`),
  );
  rmSync(controlDir, { recursive: true, force: true });
}
