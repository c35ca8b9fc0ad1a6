import { cpus, loadavg, release, totalmem } from 'node:os';
import { $ } from 'zx';

/** What the numbers were measured on, for the results file. */
export interface MachineInfo {
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  kernel: string;
  node: string;
  ansible: string;
  ployCommit: string;
  /** 1, 5 and 15 minute load averages when the bench started (other work on the machine shows here). */
  loadAtStart: number[];
}

export async function machineInfo(root: string): Promise<MachineInfo> {
  const quiet = $({ quiet: true, nothrow: true });
  const ansible = (await quiet`ansible-playbook --version`).stdout.split('\n')[0]?.trim() ?? 'unknown';
  const commit = (await quiet`git -C ${root} rev-parse --short HEAD`).stdout.trim() || 'unknown';
  return {
    cpuModel: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    kernel: release(),
    node: process.version,
    ansible,
    ployCommit: commit,
    loadAtStart: loadavg(),
  };
}
