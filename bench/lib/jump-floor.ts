import { readFileSync } from 'node:fs';
import { Client, type ClientChannel } from 'ssh2';
import { PloyError } from '../../lib/errors.ts';
import { connect, ed25519Keys, execute, type FloorRun, type FloorTarget } from './floor.ts';

/**
 * The floor for hosts behind a jump host, as ploy reaches them (ploy_jump_host): one connection to
 * the jump host, then for every target at once a channel forwarded through it, an SSH login over
 * that channel, and one command (each host's own from `commands`). When `commands` names the jump
 * host too, its command runs on that first connection, beside the others. Nothing else. Timed from
 * reading the key to the last output.
 */
export async function measureJumpFloor(jump: FloorTarget, targets: readonly FloorTarget[], keyPath: string, knownHostsPath: string, commands: Readonly<Record<string, string>>): Promise<FloorRun> {
  const commandOf = (name: string) => {
    const command = commands[name];
    if (command === undefined) throw new PloyError(`floor: no command for ${name}`);
    return command;
  };
  const started = performance.now();
  const privateKey = readFileSync(keyPath);
  const hostKeys = ed25519Keys(readFileSync(knownHostsPath, 'utf8'));
  const jumpClient = new Client();
  const clients: Client[] = [];
  try {
    await connect(jumpClient, jump, privateKey, hostKeys.get(jump.address));
    const onJump = commands[jump.name] === undefined ? [] : [(async () => [jump.name, await execute(jumpClient, jump.name, commandOf(jump.name))] as const)()];
    const results = await Promise.all([
      ...onJump,
      ...targets.map(async (target) => {
        const channel = await forward(jumpClient, target);
        const client = new Client();
        clients.push(client);
        await connect(client, target, privateKey, hostKeys.get(target.address), channel);
        return [target.name, await execute(client, target.name, commandOf(target.name))] as const;
      }),
    ]);
    return { wallMs: performance.now() - started, outputs: Object.fromEntries(results) };
  } finally {
    for (const client of clients) client.end();
    jumpClient.end();
  }
}

function forward(jump: Client, target: FloorTarget): Promise<ClientChannel> {
  return new Promise((resolve, reject) => {
    jump.forwardOut('127.0.0.1', 0, target.address, target.port, (error, channel) =>
      error ? reject(new PloyError(`floor: forwarding to ${target.name}: ${error.message}`, { cause: error })) : resolve(channel),
    );
  });
}
