import { inspect } from 'node:util';

const MASK = '***';
const registry = new Set<string>();

/**
 * A Secret was turned into a string: a template literal, String(), `+`. Its value would have become
 * "***" on the host, silently, so this is an error at that very place, raised in the preflight when
 * the Secret comes from the inventory (the run stops before any host is touched).
 */
export class SecretInStringError extends Error {
  constructor() {
    super(
      'a Secret was put into a string (a template literal, String() or +), which would send "***" instead of its value. ' +
        'Pass the Secret itself where a module takes one (content, stdin, env, template vars, kubectlApply objects), ' +
        'build a command with the sh`...` tag (it quotes the value for the host and masks it in every output), ' +
        'or wrap a string made with reveal() in secret() again',
    );
    this.name = 'SecretInStringError';
  }
}

/**
 * A value that must never be printed. JSON and util.inspect show "***"; turning it into a string
 * any other way throws SecretInStringError; only reveal() gives the real value, for the one place
 * that sends it to a host. Every value ever wrapped is also remembered, so mask() can scrub it from
 * any text (command echoes, stderr, error messages) that contains it verbatim.
 */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
    if (value.length >= 3) registry.add(value);
  }

  reveal(): string {
    return this.#value;
  }

  toString(): string {
    throw new SecretInStringError();
  }

  [Symbol.toPrimitive](): never {
    throw new SecretInStringError();
  }

  toJSON(): string {
    return MASK;
  }

  [inspect.custom](): string {
    return MASK;
  }
}

export function secret(value: string | Secret): Secret {
  return value instanceof Secret ? value : new Secret(value);
}

export function isSecret(value: unknown): value is Secret {
  return value instanceof Secret;
}

export function reveal(value: string | Secret): string {
  return value instanceof Secret ? value.reveal() : value;
}

/** Remember a value as secret without wrapping it (e.g. a token read from a host). */
export function registerSecret(value: string): void {
  if (value.length >= 3) registry.add(value);
}

/** Replace every known secret value in text with "***". Longest first, so overlapping values mask whole. */
export function mask(text: string): string {
  if (registry.size === 0 || !text) return text;
  let out = text;
  for (const value of [...registry].sort((a, b) => b.length - a.length)) {
    if (out.includes(value)) out = out.split(value).join(MASK);
  }
  return out;
}
