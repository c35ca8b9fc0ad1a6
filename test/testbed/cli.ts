/**
 * A test bed for people: `npm run testbed -- up [--hosts 3] [--bastion] [--nat]` starts one and
 * leaves it running; `npm run testbed -- down` stops exactly what `up` started; `down --stale`
 * also removes beds left by killed test processes. Both are idempotent.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { InputError, PloyError } from '../../lib/errors.ts';
import { startTestbed, type TestbedHostSpec } from './bed.ts';
import { staleBeds, type BedState } from './bed-state.ts';
import { isOurNspawn } from './processes.ts';
import type { RunningTestbed } from './running-testbed.ts';
import { tearDown } from './teardown.ts';

const STATE_DIR = join(fileURLToPath(new URL('../../', import.meta.url)), '.testbed');
const STATE_FILE = join(STATE_DIR, 'state.json');

interface CliState extends BedState {
  keyPath: string;
  knownHostsPath: string;
  sshConfigPath: string;
  inventoryPath: string;
}

function running(state: BedState): boolean {
  return state.plan.hosts.some((h) => {
    const pid = state.hosts[h.name]?.pid;
    return pid != null && isOurNspawn(pid, h.machine);
  });
}

function readState(): CliState | undefined {
  if (!existsSync(STATE_FILE)) return undefined;
  return JSON.parse(readFileSync(STATE_FILE, 'utf8')) as CliState;
}

function describe(state: CliState): string {
  const lines = [`test bed ${state.plan.prefix}: ${state.plan.hosts.length} hosts, files in ${state.dir}`, `  inventory: ${state.inventoryPath}`];
  for (const host of state.plan.hosts) {
    const via = host.jumpHost ? `, through ${host.jumpHost}` : '';
    lines.push(`  ssh -F ${state.sshConfigPath} ${host.name}    # root@${host.ip}${via}`);
  }
  lines.push(`  (or ssh -i ${state.keyPath} -o UserKnownHostsFile=${state.knownHostsPath} root@ADDRESS)`);
  lines.push('  logins: root, deploy (sudo without password), alice (sudo password alice-sudo-pw)');
  lines.push('stop it with: npm run testbed -- down');
  return lines.join('\n');
}

async function up(count: number, bastion: boolean, nat: boolean): Promise<void> {
  const previous = readState();
  if (previous && running(previous)) {
    console.log(`already up\n${describe(previous)}`);
    return;
  }
  if (previous) await down(false);
  const hosts: TestbedHostSpec[] = Array.from({ length: count }, (_, i) => ({ name: `server${i + 1}`, network: bastion ? 'private' : 'public' }));
  if (bastion) hosts.unshift({ name: 'bastion' });
  const bed = (await startTestbed({ hosts, ...(bastion ? { bastion: 'bastion' } : {}), nat })) as RunningTestbed;
  bed.detach();
  const state: CliState = {
    ...bed.state,
    keyPath: bed.keyPath,
    knownHostsPath: bed.knownHostsPath,
    sshConfigPath: bed.sshConfigPath,
    inventoryPath: bed.inventoryPath,
  };
  mkdirSync(STATE_DIR, { recursive: true });
  writeFileSync(STATE_FILE, `${JSON.stringify(state, null, 2)}\n`);
  console.log(describe(state));
}

async function down(stale: boolean): Promise<void> {
  const state = readState();
  if (state) {
    const leftovers = await tearDown(state);
    rmSync(STATE_FILE, { force: true });
    if (leftovers.length > 0) throw new PloyError(`test bed ${state.plan.prefix}: could not clean up: ${leftovers.join('; ')}`);
    console.log(`test bed ${state.plan.prefix} is down`);
  } else if (!stale) {
    console.log(`no test bed recorded in ${STATE_FILE}: nothing to stop`);
  }
  if (stale) {
    for (const bed of staleBeds()) {
      const leftovers = await tearDown(bed);
      console.log(`stale test bed ${bed.plan.prefix} (${bed.dir}) removed${leftovers.length ? `, except: ${leftovers.join('; ')}` : ''}`);
    }
  }
}

async function main(): Promise<void> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      hosts: { type: 'string', default: '3' },
      bastion: { type: 'boolean', default: false },
      nat: { type: 'boolean', default: false },
      stale: { type: 'boolean', default: false },
    },
  });
  const command = positionals[0];
  if (command === 'up') {
    const count = Number(values.hosts);
    if (!Number.isInteger(count) || count < 1) throw new InputError(`--hosts must be a positive whole number, not ${JSON.stringify(values.hosts)}`, { field: '--hosts' });
    await up(count, values.bastion, values.nat);
  } else if (command === 'down') {
    await down(values.stale);
  } else {
    throw new InputError(`unknown command ${JSON.stringify(command ?? '')}; usage: testbed up [--hosts N] [--bastion] [--nat] | down [--stale]`);
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof PloyError ? `testbed: ${error.message}` : error);
    process.exit(1);
  },
);
