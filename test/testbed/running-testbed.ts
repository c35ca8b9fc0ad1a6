import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { InputError, PloyError } from '../../lib/errors.ts';
import type { Testbed, TestbedHost } from './bed.ts';
import { saveState, type BedState } from './bed-state.ts';
import { bannerFromController, bootContainer, waitUntilReady, type BannerProbe } from './container.ts';
import { forgetOnExit, type Stoppable } from './exit-cleanup.ts';
import { bannerFromNamespace } from './network.ts';
import type { HostPlan } from './plan.ts';
import { stopContainers } from './container-stop.ts';
import { isOurLeader, isOurNspawn } from './processes.ts';
import { tearDown, tearDownSync } from './teardown.ts';

export interface TestbedPaths {
  keyPath: string;
  knownHostsPath: string;
  sshConfigPath: string;
  inventoryPath: string;
}

const CONTAINER_ENV = ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'HOME=/root', 'USER=root', 'LOGNAME=root', 'LANG=C.UTF-8'];

function bootTimeoutMs(): number {
  return Number(process.env.PLOY_TESTBED_BOOT_TIMEOUT ?? 60) * 1000;
}

/** A started bed; its state record is rewritten whenever a container starts or stops. */
export class RunningTestbed implements Testbed, Stoppable {
  readonly hosts: TestbedHost[];
  readonly keyPath: string;
  readonly knownHostsPath: string;
  readonly sshConfigPath: string;
  readonly inventoryPath: string;
  #stopping: Promise<void> | undefined;
  #done = false;

  constructor(
    readonly state: BedState,
    paths: TestbedPaths,
  ) {
    ({ keyPath: this.keyPath, knownHostsPath: this.knownHostsPath, sshConfigPath: this.sshConfigPath, inventoryPath: this.inventoryPath } = paths);
    this.hosts = state.plan.hosts.map((h) => ({
      name: h.name,
      ip: h.ip,
      ...(h.privateIp ? { privateIp: h.privateIp } : {}),
      network: h.network,
      leaderPid: 0,
      netns: h.netns,
    }));
  }

  get dir(): string {
    return this.state.dir;
  }

  host(name: string): TestbedHost {
    const host = this.hosts.find((h) => h.name === name);
    if (!host) throw new InputError(`test bed: no host "${name}" (hosts: ${this.hosts.map((h) => h.name).join(', ')})`, { host: name });
    return host;
  }

  async sh(name: string, command: string): Promise<{ code: number; stdout: string; stderr: string }> {
    const { leaderPid } = this.host(name);
    if (leaderPid === 0) throw new PloyError(`test bed: host ${name} is stopped; startHost("${name}") first`);
    const args = ['-t', String(leaderPid), '-m', '-u', '-i', '-n', '-p', '-r', '-w', '--', '/usr/bin/env', '-i', ...CONTAINER_ENV, '/bin/sh', '-c', command];
    return new Promise((resolve, reject) => {
      const child = spawn('nsenter', args, { stdio: ['ignore', 'pipe', 'pipe'] });
      const stdout: Buffer[] = [];
      const stderr: Buffer[] = [];
      child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
      child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
      child.on('error', (error) => reject(new PloyError(`test bed: cannot nsenter into ${name}: ${error.message}`, { cause: error })));
      child.on('close', (code) => resolve({ code: code ?? -1, stdout: Buffer.concat(stdout).toString('utf8'), stderr: Buffer.concat(stderr).toString('utf8') }));
    });
  }

  async stopHost(name: string): Promise<void> {
    const host = this.host(name);
    const plan = this.#plan(name);
    const record = this.#record(name);
    await stopContainers([{ nspawn: record.pid, leader: record.leader, machine: plan.machine, upperDir: join(record.hostDir, 'upper') }]);
    Object.assign(record, { pid: null, leader: null });
    host.leaderPid = 0;
    saveState(this.state);
  }

  async startHost(name: string): Promise<void> {
    if (this.#stopping) throw new PloyError(`test bed: cannot start ${name}, the bed is stopped`);
    const host = this.host(name);
    const plan = this.#plan(name);
    const record = this.#record(name);
    if (record.pid !== null && isOurNspawn(record.pid, plan.machine) && host.leaderPid !== 0) return;
    if (record.leader !== null && isOurLeader(record.leader, join(record.hostDir, 'upper'))) {
      throw new PloyError(`test bed: ${name}'s previous container (init PID ${record.leader}) still runs; stopHost("${name}") first`);
    }
    record.pid = bootContainer(plan, record);
    saveState(this.state);
    record.leader = await waitUntilReady(plan, record, record.pid, this.#probeFor(plan), bootTimeoutMs());
    host.leaderPid = record.leader;
    saveState(this.state);
  }

  stop(): Promise<void> {
    this.#stopping ??= (async () => {
      const leftovers = await tearDown(this.state);
      this.#finish();
      if (leftovers.length > 0) throw new PloyError(`test bed ${this.state.plan.prefix}: could not clean up: ${leftovers.join('; ')}`);
    })();
    return this.#stopping;
  }

  stopSync(): void {
    if (this.#done) return;
    tearDownSync(this.state);
    this.#finish();
  }

  /** Let the bed outlive this process (the CLI's `up`): no cleanup on exit; `down` stops it. */
  detach(): void {
    forgetOnExit(this);
    this.state.ownerPid = null;
    saveState(this.state);
  }

  #finish(): void {
    this.#done = true;
    for (const host of this.hosts) host.leaderPid = 0;
    forgetOnExit(this);
  }

  /** Private hosts are seen from the bastion's namespace: the controller has no way to them. */
  #probeFor(plan: HostPlan): BannerProbe {
    if (plan.network === 'public') return bannerFromController;
    const bastion = this.#plan(plan.jumpHost ?? '');
    return (ip) => bannerFromNamespace(bastion.netns, ip);
  }

  #plan(name: string): HostPlan {
    const plan = this.state.plan.hosts.find((h) => h.name === name);
    if (!plan) throw new InputError(`test bed: no host "${name}"`, { host: name });
    return plan;
  }

  #record(name: string): BedState['hosts'][string] {
    const record = this.state.hosts[name];
    if (!record) throw new PloyError(`test bed: host ${name} was never set up`);
    return record;
  }
}
