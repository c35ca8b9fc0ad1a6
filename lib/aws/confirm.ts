import { createInterface } from 'node:readline/promises';

/** Ask on the terminal; true only when the answer is exactly `expected`. */
export async function askOnTerminal(question: string, expected: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return (await rl.question(question)).trim() === expected;
  } finally {
    rl.close();
  }
}
