/**
 * `tsx bench/channel-cost.ts [--hosts N] [--rounds 5]`: what one remote command costs as a channel
 * of its own (ploy today: sshd forks a session and a login shell per command) against the same
 * command sent to one long-lived shell per host, on every host of an N-host bed at once. The
 * command is a file probe like ploy's (stat + sha256sum); 10 in a row per host, as a play's tasks.
 */
import { readFileSync } from 'node:fs';
import { Client } from 'ssh2';
import { defineFlags, positiveInteger } from '../lib/cli/flag-table.ts';
import { parseFlags } from '../lib/cli/flags.ts';
import { startTestbed } from '../test/testbed/bed.ts';
import { connect, ed25519Keys, execute } from './lib/floor.ts';
import { ShellSession } from './lib/shell-session.ts';
import { median } from './lib/stats.ts';

const table = defineFlags({
  hosts: { kind: 'value', valueName: 'N', default: '30', parse: positiveInteger, description: 'Bed hosts' },
  rounds: { kind: 'value', valueName: 'N', default: '5', parse: positiveInteger, description: 'Measured rounds of each way' },
});
const flags = parseFlags(process.argv.slice(2), table);
const COMMANDS_PER_HOST = 10;
const PROBE = `stat -c '%a %u %g %s' /etc/hosts && sha256sum < /etc/hosts`;

const bed = await startTestbed({ hosts: Array.from({ length: flags.hosts }, (_, i) => ({ name: `c${String(i + 1).padStart(2, '0')}` })) });
const clients: Client[] = [];
try {
  const key = readFileSync(bed.keyPath);
  const hostKeys = ed25519Keys(readFileSync(bed.knownHostsPath, 'utf8'));
  for (const host of bed.hosts) {
    const client = new Client();
    await connect(client, { name: host.name, address: host.ip, port: 22, user: 'root' }, key, hostKeys.get(host.ip));
    clients.push(client);
  }
  const shells = await Promise.all(clients.map((client, i) => ShellSession.open(client, bed.hosts[i]!.name)));
  const channelPerCommand = async () => {
    await Promise.all(
      clients.map(async (client, i) => {
        for (let n = 0; n < COMMANDS_PER_HOST; n++) await execute(client, bed.hosts[i]!.name, PROBE);
      }),
    );
  };
  const oneShell = async () => {
    await Promise.all(
      shells.map(async (shell) => {
        for (let n = 0; n < COMMANDS_PER_HOST; n++) await shell.run(PROBE);
      }),
    );
  };
  const times: Record<string, number[]> = { 'a channel per command': [], 'one shell per host': [] };
  for (let round = 0; round <= flags.rounds; round++) {
    for (const [name, way] of [
      ['a channel per command', channelPerCommand],
      ['one shell per host', oneShell],
    ] as const) {
      const started = performance.now();
      await way();
      if (round > 0) times[name]!.push(performance.now() - started);
    }
  }
  console.log(`${flags.hosts} hosts, ${COMMANDS_PER_HOST} commands per host in a row, all hosts at once; median of ${flags.rounds} rounds (after one warm-up):`);
  for (const [name, values] of Object.entries(times)) {
    const ms = median(values);
    console.log(`  ${name.padEnd(22)} ${Math.round(ms)} ms (${(ms / COMMANDS_PER_HOST).toFixed(1)} ms per command, ${Math.round(Math.min(...values))}–${Math.round(Math.max(...values))})`);
  }
  for (const shell of shells) shell.close();
} finally {
  for (const client of clients) client.end();
  await bed.stop();
}
