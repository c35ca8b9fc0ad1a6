import { randomBytes } from 'node:crypto';
import type { Client, ClientChannel } from 'ssh2';
import { PloyError } from '../../lib/errors.ts';

/** A command's answer at the front of what the shell printed, once its end-marker line is complete. */
export function takeAnswer(buffer: string, marker: string): { output: string; status: number; rest: string } | undefined {
  const match = new RegExp(`(?:^|\\n)${marker} (\\d+)\\n`).exec(buffer);
  if (!match) return undefined;
  return { output: buffer.slice(0, match.index), status: Number(match[1]), rest: buffer.slice(match.index + match[0].length) };
}

/**
 * One long-lived `/bin/sh` on a host, fed commands on stdin, each answered with its output and a
 * random end marker carrying the exit status: no channel open/close and no sshd session or login
 * shell per command. A measuring device for bench/channel-cost.ts, not a connection for ploy
 * (stdin for commands, become, timeouts and signals would all need answers first).
 */
export class ShellSession {
  readonly #channel: ClientChannel;
  readonly #marker = `__ploy_end_${randomBytes(8).toString('hex')}`;
  #buffer = '';
  #waiting: ((answer: { output: string; status: number }) => void) | undefined;

  private constructor(channel: ClientChannel) {
    this.#channel = channel;
    channel.on('data', (chunk: Buffer) => this.#receive(chunk.toString('utf8')));
    channel.stderr.resume();
  }

  static open(client: Client, name: string): Promise<ShellSession> {
    return new Promise((resolve, reject) => {
      client.exec('exec /bin/sh', (error, channel) => (error ? reject(new PloyError(`${name}: cannot start a shell: ${error.message}`)) : resolve(new ShellSession(channel))));
    });
  }

  /** Run one command in a subshell (so `exit` or `cd` in it cannot end or move the session); its stdout. */
  run(command: string): Promise<string> {
    if (this.#waiting) return Promise.reject(new PloyError('shell session: one command at a time'));
    return new Promise((resolve, reject) => {
      this.#waiting = ({ output, status }) => {
        if (status === 0) resolve(output);
        else reject(new PloyError(`shell session: the command exited ${status}`));
      };
      this.#channel.write(`(\n${command}\n) </dev/null; printf '\\n%s %d\\n' ${this.#marker} $?\n`);
    });
  }

  close(): void {
    this.#channel.end();
  }

  #receive(text: string): void {
    this.#buffer += text;
    const answer = takeAnswer(this.#buffer, this.#marker);
    if (!answer) return;
    this.#buffer = answer.rest;
    const done = this.#waiting;
    this.#waiting = undefined;
    done?.(answer);
  }
}
