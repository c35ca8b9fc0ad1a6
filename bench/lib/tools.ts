import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { $ } from 'zx';
import type { ToolCommand } from './tool-run.ts';

/**
 * How ploy's playbook is started: `ploy`, bin/ploy as users run it (plain node on the play's cached
 * esbuild bundle; the cache is warmed before timing); `tsx`, the TypeScript runner; `node` with tsx
 * as an import hook (no launcher process); `bundle`, plain node on a bundle built ahead (bundle.ts).
 */
export type Launcher = 'ploy' | 'tsx' | 'node' | 'bundle';
export const LAUNCHERS: readonly Launcher[] = ['ploy', 'tsx', 'node', 'bundle'];
export const DEFAULT_LAUNCHER: Launcher = 'ploy';

/** What both tools are run against. */
export interface ToolSetup {
  /** The repository root (package.json). */
  root: string;
  inventoryPath: string;
  forks: number;
  /** HOME for both tools: an empty directory. */
  home: string;
  launcher: Launcher;
  /** The bundled play, for the bundle launcher. */
  bundlePath?: string;
}

const PLAY = 'bench/play/site.ts';

/**
 * An empty HOME for both tools: no ~/.ssh/config, known_hosts or agent of the caller's gets in.
 * Both find the bed's known_hosts (UserKnownHostsFile, StrictHostKeyChecking yes) through the
 * inventory's `-F` config, so both refuse an unknown host key, against the same keys.
 */
export function prepareHome(dir: string): string {
  const home = join(dir, 'home');
  mkdirSync(home, { recursive: true, mode: 0o700 });
  return home;
}

function baseEnv(home: string): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin', HOME: home, LANG: 'C.UTF-8', NO_COLOR: '1', TERM: 'dumb' };
}

/**
 * ploy as its users run a playbook: `bin/ploy bench/play/site.ts -i INVENTORY --forks N [--check]`
 * (or as setup.launcher says). With cpuProfileDir, node itself runs the launcher or the play under
 * --cpu-prof (node refuses --cpu-prof in NODE_OPTIONS, and so the profile is of the process running
 * the play; bin/ploy runs the bundle in its own process).
 */
export function ployCommand(setup: ToolSetup, options: { check: boolean; verbose?: boolean; cpuProfileDir?: string }): ToolCommand {
  const profile = options.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`] : [];
  const argv = [...startPlay(setup, profile), '-i', setup.inventoryPath, '--forks', String(setup.forks)];
  if (options.check) argv.push('--check');
  if (options.verbose) argv.push('-v');
  return { tool: 'ploy', argv, cwd: setup.root, env: baseEnv(setup.home) };
}

/** ploy started and stopped without contacting a host: node, tsx and every module of the play loaded. */
export function ployStartupCommand(setup: ToolSetup): ToolCommand {
  return { tool: 'ploy', argv: [...startPlay(setup, []), '--help'], cwd: setup.root, env: baseEnv(setup.home) };
}

function startPlay(setup: ToolSetup, nodeFlags: string[]): string[] {
  if (setup.launcher === 'ploy') return [process.execPath, ...nodeFlags, ployLauncher(setup.root), PLAY];
  if (setup.launcher === 'bundle') {
    if (!setup.bundlePath) throw new Error('bench: the bundle launcher needs the bundled play (bundlePath)');
    return [process.execPath, ...nodeFlags, setup.bundlePath];
  }
  if (setup.launcher === 'node' || nodeFlags.length > 0) return [process.execPath, ...nodeFlags, '--import', 'tsx', PLAY];
  return [join(setup.root, 'node_modules', '.bin', 'tsx'), PLAY];
}

export function ployLauncher(root: string): string {
  return join(root, 'bin', 'ploy');
}

/** The ploy launcher's cache built (or found fresh) once, untimed, so the measured runs all start from it. */
export function warmLauncherCommand(setup: ToolSetup): ToolCommand {
  return { ...ployStartupCommand({ ...setup, launcher: 'ploy' }), env: { ...baseEnv(setup.home), PLOY_LAUNCHER_DEBUG: '1' } };
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
  await Promise.all(readdirSync(controlDir).map((socket) => $({ quiet: true, nothrow: true })`ssh -o ControlPath=${join(controlDir, socket)} -O exit bench-control-master`));
  rmSync(controlDir, { recursive: true, force: true });
}
