import { InputError } from '../errors.ts';
import type { RunSummary } from '../runner/options.ts';
import { changesPending } from '../runner/stats.ts';

/**
 * --detailed-exitcode (terraform plan's -detailed-exitcode, for drift checks from cron or CI):
 * a --check run that would change something exits with this instead of 0. It differs from every
 * other code ploy uses (1 bad input, 2 failed, 4 unreachable, 130/143 interrupted) and from
 * ansible-playbook's (3, 5, 8, 99, 250), so a scheduler can tell "drifted" from "broken".
 */
export const CHANGES_PENDING_EXIT_CODE = 10;

/** The flag only means something in check mode: a real run makes its changes, it leaves none pending. */
export function checkDetailedExitCodeFlag(flags: { detailedExitcode: boolean; check: boolean }): void {
  if (flags.detailedExitcode && !flags.check) {
    throw new InputError('--detailed-exitcode needs --check: it reports changes pending, and only a check run leaves them pending');
  }
}

/** The run's exit code, with 0 turned into CHANGES_PENDING_EXIT_CODE when asked and changes are pending; failures and interrupts win. */
export function detailedExitCode(summary: RunSummary, detailed: boolean): RunSummary['exitCode'] | typeof CHANGES_PENDING_EXIT_CODE {
  return detailed && summary.exitCode === 0 && changesPending(summary.stats) ? CHANGES_PENDING_EXIT_CODE : summary.exitCode;
}
