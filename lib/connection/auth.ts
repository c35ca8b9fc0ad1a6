import { homedir } from 'node:os';
import { join } from 'node:path';
import ssh2, { type AnyAuthMethod, type AuthHandlerMiddleware, type AuthenticationType, type ParsedKey } from 'ssh2';
import { readControllerFile } from '../controller-file.ts';
import { InputError } from '../errors.ts';
import type { SshEndpoint } from './spec.ts';

/** One way to log in, with a label for the "tried ..." part of an auth failure message. */
export interface AuthAttempt {
  method: AnyAuthMethod;
  label: string;
}

const { utils } = ssh2; // CommonJS: only some names are visible as ESM named exports

const DEFAULT_KEYS = ['id_ed25519', 'id_ecdsa', 'id_rsa'];

/**
 * The ways to log in to an endpoint, in order: its private key file, ssh-agent (SSH_AUTH_SOCK),
 * the default keys (~/.ssh/id_ed25519, id_ecdsa, id_rsa) when no key file is set, then the password.
 * An encrypted key file is left to the agent; without one it is an InputError, since ploy never
 * prompts for a passphrase.
 */
export async function authAttempts(host: string, endpoint: SshEndpoint, agentSocket = process.env['SSH_AUTH_SOCK']): Promise<AuthAttempt[]> {
  const username = endpoint.user;
  const attempts: AuthAttempt[] = [];
  const field = 'ansible_ssh_private_key_file';
  if (endpoint.privateKeyFile) {
    const file = endpoint.privateKeyFile;
    let data: Buffer;
    try {
      data = await readControllerFile(file);
    } catch (error) {
      throw new InputError(`cannot read private key file ${file}: ${(error as Error).message}`, { host, field }, { cause: error });
    }
    const parsed = parsedKey(data);
    if (parsed instanceof Error) {
      if (!/passphrase|encrypted/i.test(parsed.message)) {
        throw new InputError(`${file} is not a usable private key: ${parsed.message}`, { host, field });
      }
      if (!agentSocket) {
        throw new InputError(`private key ${file} is encrypted and ploy does not ask for passphrases; load it into ssh-agent (ssh-add ${file}) and run with SSH_AUTH_SOCK set`, { host, field });
      }
    } else {
      attempts.push({ method: { type: 'publickey', username, key: parsed }, label: `key ${file}` });
    }
  }
  if (agentSocket) attempts.push({ method: { type: 'agent', username, agent: agentSocket }, label: 'ssh-agent' });
  if (!endpoint.privateKeyFile) {
    for (const name of DEFAULT_KEYS) {
      const file = join(homedir(), '.ssh', name);
      const data = await readControllerFile(file).catch(() => undefined);
      const parsed = data && parsedKey(data);
      if (parsed && !(parsed instanceof Error)) {
        attempts.push({ method: { type: 'publickey', username, key: parsed }, label: `key ${file}` });
      }
    }
  }
  if (endpoint.password) {
    const password = endpoint.password.reveal();
    attempts.push({ method: { type: 'password', username, password }, label: 'password' });
    attempts.push({
      method: {
        type: 'keyboard-interactive',
        username,
        prompt: (_name, _instructions, _lang, prompts, finish) => finish(prompts.map(() => password)),
      },
      label: 'keyboard-interactive password',
    });
  }
  return attempts;
}

const parsedKeys = new WeakMap<Buffer, ParsedKey | Error>();

/** A key file's bytes parsed once (readControllerFile hands out the same Buffer while the file is unchanged); ssh2 takes the parsed key as is. */
function parsedKey(data: Buffer): ParsedKey | Error {
  let parsed = parsedKeys.get(data);
  if (!parsed) parsedKeys.set(data, (parsed = utils.parseKey(data)));
  return parsed;
}

/** Offer the attempts in order, skipping those the server says it does not accept; records what was tried. */
export function authHandlerFor(attempts: AuthAttempt[], tried: string[]): AuthHandlerMiddleware {
  let next = 0;
  return (methodsLeft, _partialSuccess, callback) => {
    const done = callback as (method: AnyAuthMethod | false) => void;
    while (next < attempts.length) {
      const attempt = attempts[next++];
      if (!attempt) break;
      if (methodsLeft && !methodsLeft.includes(serverMethod(attempt.method.type))) continue;
      tried.push(attempt.label);
      return done(attempt.method);
    }
    return done(false);
  };
}

function serverMethod(type: AuthenticationType): AuthenticationType {
  return type === 'agent' ? 'publickey' : type;
}
