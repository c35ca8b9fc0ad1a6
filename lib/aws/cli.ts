import { InputError, PloyError } from '../errors.ts';
import { mask } from '../secret.ts';

/**
 * Run a playbook's main function with ploy's exit codes: 0 done, 1 bad input (InputError),
 * 2 any other failure. Errors print as one "error: ..." paragraph; unexpected ones with their stack.
 */
export async function runCommand(main: () => Promise<void>): Promise<void> {
  try {
    await main();
  } catch (error) {
    if (error instanceof InputError) {
      process.stderr.write(`error: ${error.message}\n`);
      process.exitCode = 1;
    } else if (error instanceof PloyError) {
      process.stderr.write(`error: ${error.message}\n`);
      process.exitCode = 2;
    } else {
      process.stderr.write(`error: ${mask(error instanceof Error ? (error.stack ?? error.message) : String(error))}\n`);
      process.exitCode = 2;
    }
  }
}
