import type { Reporter } from '../runner/events.ts';
import { HumanReporter } from './human.ts';
import { JsonReporter } from './json.ts';
import type { Environment, OutputStream } from './terminal.ts';

export interface ReporterChoice {
  json: boolean;
  verbosity: number;
  diff: boolean;
  out?: OutputStream;
  err?: OutputStream;
  env?: Environment;
}

/** The reporter the flags ask for: one JSON document with --json, else progress for people. */
export function createReporter(choice: ReporterChoice): Reporter {
  const out = choice.out ?? process.stdout;
  const err = choice.err ?? process.stderr;
  if (choice.json) return new JsonReporter({ out, err });
  return new HumanReporter({ out, err, verbosity: choice.verbosity, diff: choice.diff, ...(choice.env ? { env: choice.env } : {}) });
}
