import { CommandError } from '../errors.ts';
import type { Secret } from '../secret.ts';
import type { BecomeWrap } from './command-line.ts';

/** sudo refused to run the command: no password set, a wrong one, or sudo's own error. */
export class BecomeError extends CommandError {}

export type BecomeFailure = { kind: 'no-password' } | { kind: 'wrong-password' };

export interface BecomeEvents {
  /** sudo asked for the password: send these bytes on stdin. */
  sendPassword(bytes: string): void;
  /** sudo let the command start: its stdin may be written now. */
  ready(): void;
  /** sudo cannot succeed: stop the command. */
  fail(failure: BecomeFailure): void;
}

/**
 * Watches a become'd command's output for sudo's random prompt and the success marker (Ansible's
 * BECOME-SUCCESS trick). Everything before the marker on each stream is sudo's and is dropped;
 * everything after it is the command's, passed on byte for byte.
 */
export class BecomeDialog {
  readonly #stdout: MarkerStream;
  readonly #stderr: MarkerStream;
  readonly #prompt: Buffer;
  #prompts = 0;
  #started = false;
  #failure: BecomeFailure | undefined;

  constructor(
    wrap: BecomeWrap,
    private readonly password: Secret | undefined,
    private readonly events: BecomeEvents,
  ) {
    const marker = Buffer.from(`${wrap.marker}\n`);
    this.#stdout = new MarkerStream(marker);
    this.#stderr = new MarkerStream(marker);
    this.#prompt = Buffer.from(wrap.prompt);
  }

  /** True once the marker was seen: the command itself is running. */
  get started(): boolean {
    return this.#started;
  }

  get failure(): BecomeFailure | undefined {
    return this.#failure;
  }

  /** Feed a stdout chunk; returns the command's part of it. */
  stdout(chunk: Buffer): Buffer {
    const out = this.#stdout.push(chunk);
    if (this.#stdout.found) this.#start();
    return out;
  }

  /** Feed a stderr chunk; returns the command's part of it. */
  stderr(chunk: Buffer): Buffer {
    const out = this.#stderr.push(chunk);
    if (!this.#stderr.found) this.#watchPrompts(this.#stderr.pending);
    else this.#start();
    return out;
  }

  /** What sudo said before the marker (prompts removed), to explain a failure. */
  sudoOutput(): string {
    const text = Buffer.concat([this.#stdout.pending, this.#stderr.pending]).toString('utf8');
    return text.split(this.#prompt.toString('utf8')).join('').trim();
  }

  #watchPrompts(pending: Buffer): void {
    let count = 0;
    for (let at = pending.indexOf(this.#prompt); at !== -1; at = pending.indexOf(this.#prompt, at + this.#prompt.length)) count++;
    if (count === this.#prompts || this.#failure) return;
    this.#prompts = count;
    if (count > 1) return this.#fail({ kind: 'wrong-password' });
    if (!this.password) return this.#fail({ kind: 'no-password' });
    this.events.sendPassword(`${this.password.reveal()}\n`);
  }

  #fail(failure: BecomeFailure): void {
    this.#failure = failure;
    this.events.fail(failure);
  }

  #start(): void {
    if (this.#started) return;
    this.#started = true;
    this.events.ready();
  }
}

/** One output stream: holds bytes back until the marker line, then passes everything through. */
class MarkerStream {
  #pending: Buffer = Buffer.alloc(0);
  #found = false;

  constructor(private readonly marker: Buffer) {}

  get found(): boolean {
    return this.#found;
  }

  /** Bytes seen before the marker (all bytes so far while it has not come). */
  get pending(): Buffer {
    return this.#pending;
  }

  push(chunk: Buffer): Buffer {
    if (this.#found) return chunk;
    const all = Buffer.concat([this.#pending, chunk]);
    const at = all.indexOf(this.marker);
    if (at === -1) {
      this.#pending = all;
      return Buffer.alloc(0);
    }
    this.#found = true;
    this.#pending = all.subarray(0, at);
    return all.subarray(at + this.marker.length);
  }
}

/** The message for a become that could not start, naming host, user and the var to fix. */
export function becomeFailureMessage(host: string, user: string, failure: BecomeFailure | undefined, sudoSaid: string): string {
  if (failure?.kind === 'no-password') {
    return `${host}: sudo asked for a password to become ${user} and none is set for host ${host} (ansible_become_password)`;
  }
  if (failure?.kind === 'wrong-password') {
    return `${host}: sudo rejected the become password for ${user} on host ${host}: incorrect password (ansible_become_password)`;
  }
  return `${host}: sudo could not run the command as ${user}${sudoSaid ? `: ${sudoSaid}` : ''}`;
}
