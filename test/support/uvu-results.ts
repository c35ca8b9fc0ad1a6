/**
 * Reads the per-file results out of what the uvu CLI printed (colours off), so test/run.ts can name
 * the files whose tests neither passed nor failed: uvu 0.5.6 drops an error thrown by a `test.before`
 * hook and prints only "(0 / N)" for that suite. The CLI prints each file's name (relative to the
 * directory it was given) on a line of its own, then one "(passed / planned)" line per suite, then a
 * "   FAIL  ..." block per failed test of that suite.
 */

export interface FileResult {
  /** As uvu names it: relative to the directory it was run on. */
  file: string;
  /** Tests uvu meant to run (skipped ones are not counted by uvu here). */
  planned: number;
  passed: number;
  /** Failed tests that came with a FAIL block, i.e. with a reason shown. */
  failed: number;
  /** Whether any suite of the file printed its "(passed / planned)" line. */
  reported: boolean;
}

const SUITE_TALLY = /\((\d+) \/ (\d+)\)\s*$/;
const FAILURE_HEADING = /^ {3}FAIL {2}/;
const SUMMARY = /^\s*Total:\s+\d+/m;

/** `files`: the names uvu runs, from `parse` of 'uvu/parse' with the same directory and pattern. */
export function resultsByFile(stdout: string, files: readonly string[]): FileResult[] {
  const results = new Map(files.map((file) => [file, { file, planned: 0, passed: 0, failed: 0, reported: false }]));
  let current: FileResult | undefined;
  for (const line of stdout.split('\n')) {
    const started = results.get(line.trimEnd());
    if (started) {
      current = started;
      continue;
    }
    if (!current) continue;
    const tally = SUITE_TALLY.exec(line);
    if (tally) {
      current.passed += Number(tally[1]);
      current.planned += Number(tally[2]);
      current.reported = true;
    } else if (FAILURE_HEADING.test(line)) {
      current.failed += 1;
    }
  }
  return [...results.values()];
}

/** Tests that neither passed nor failed with a message: their suite's set-up threw unseen. */
export function silentlyUnrun(result: FileResult): number {
  return Math.max(0, result.planned - result.passed - result.failed);
}

/** False when uvu stopped (an `after` hook threw, the process died) before printing its totals. */
export function reachedSummary(stdout: string): boolean {
  return SUMMARY.test(stdout);
}
