import { InputError } from '../errors.ts';
import { secret, type Secret } from '../secret.ts';
import type { OutputStream } from '../report/terminal.ts';

/** Where a password is read from: a terminal (raw mode, no echo) or any other stream (one line). */
export interface PasswordInput extends NodeJS.ReadableStream {
  isTTY?: boolean;
  setRawMode?(mode: boolean): unknown;
}

/** The user pressed Ctrl-C at the prompt: the CLI exits 130, as for SIGINT. */
export class PromptInterrupted extends Error {}

const ENTER = new Set(['\r', '\n']);
const ERASE = new Set(['\u007f', '\b']);
const CTRL_C = '\u0003';
const CTRL_D = '\u0004';
const CTRL_U = '\u0015';

/**
 * Ask for a password, as ansible-playbook -K does: the prompt goes to `output` (stderr, so a
 * --json document on stdout stays clean). On a terminal the typing is read in raw mode, so the
 * terminal echoes nothing; backspace and Ctrl-U edit, Enter ends, Ctrl-C aborts. Anything else
 * (a pipe: `ploy ... -K <<<"$PW"`) gives its first line. The answer is a Secret from the start;
 * an empty one is an InputError.
 */
export async function askPassword(prompt: string, input: PasswordInput, output: OutputStream): Promise<Secret> {
  output.write(prompt);
  const typed = input.isTTY && input.setRawMode ? await readRaw(input) : await readLine(input);
  if (input.isTTY) output.write('\n');
  if (typed === '') throw new InputError('--ask-become-pass: no password was entered');
  return secret(typed);
}

function readRaw(input: PasswordInput): Promise<string> {
  return new Promise((resolve, reject) => {
    let typed = '';
    const finish = (error?: Error): void => {
      input.removeListener('data', onData);
      input.setRawMode?.(false);
      input.pause();
      if (error) reject(error);
      else resolve(typed);
    };
    const onData = (chunk: Buffer | string): void => {
      for (const char of chunk.toString()) {
        if (ENTER.has(char) || char === CTRL_D) return finish();
        if (char === CTRL_C) return finish(new PromptInterrupted('interrupted at the password prompt'));
        if (ERASE.has(char)) typed = [...typed].slice(0, -1).join('');
        else if (char === CTRL_U) typed = '';
        else typed += char;
      }
    };
    input.setRawMode?.(true);
    input.on('data', onData);
    input.resume();
  });
}

function readLine(input: PasswordInput): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const finish = (): void => {
      input.removeListener('data', onData);
      input.removeListener('end', finish);
      input.removeListener('error', onError);
      input.pause();
      resolve(text.split('\n')[0]?.replace(/\r$/, '') ?? '');
    };
    const onData = (chunk: Buffer | string): void => {
      text += chunk.toString();
      if (text.includes('\n')) finish();
    };
    const onError = (error: Error): void => reject(error);
    input.on('data', onData);
    input.once('end', finish);
    input.once('error', onError);
    input.resume();
  });
}
