import { PloyError } from '../errors.ts';
import { mask } from '../secret.ts';

function causes(error: Error): string[] {
  const lines: string[] = [];
  let cause: unknown = error.cause;
  for (let depth = 0; cause !== undefined && depth < 5; depth++) {
    lines.push(`Caused by: ${cause instanceof Error ? (cause.stack ?? `${cause.name}: ${cause.message}`) : String(cause)}`);
    cause = cause instanceof Error ? cause.cause : undefined;
  }
  return lines;
}

/**
 * What the CLI prints for an error that ends the run: `ERROR: <message>`. ploy's own errors are
 * expected (bad input, an unreachable host) and print their message alone; anything else is a bug
 * somewhere and also says its class. At -vvv the stack and causes follow. Everything is masked.
 */
export function formatFatalError(error: unknown, verbosity: number): string {
  if (!(error instanceof Error)) return mask(`ERROR: ${String(error)}\n`);
  const expected = error instanceof PloyError;
  const lines = [`ERROR: ${expected ? error.message : `${error.name}: ${error.message}`}`];
  if (verbosity >= 3) {
    if (error.stack) lines.push(error.stack);
    lines.push(...causes(error));
  } else if (!expected) {
    lines.push('(run with -vvv for the stack trace)');
  }
  return mask(`${lines.join('\n')}\n`);
}
