import { ModuleArgsError } from '../../errors.ts';
import { parseSelector } from '../../k8s/selector.ts';
import { requireObject } from './args.ts';

export const FIELD_MANAGER = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
const RESOURCE = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?\/[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
const CONDITION = /^[A-Za-z][A-Za-z0-9._/-]*(=[A-Za-z0-9._-]+)?$/;

export function validatePrune(prune: unknown): void {
  if (prune === undefined || prune === false) return;
  if (prune === true) throw new ModuleArgsError("prune needs a label selector naming what this task owns, e.g. prune: { selector: 'app.kubernetes.io/managed-by=ploy' }", { field: 'prune' });
  const raw = requireObject(prune, ['selector']);
  if (typeof raw.selector !== 'string' || raw.selector.trim() === '') throw new ModuleArgsError('prune.selector must be a label selector such as app=web', { field: 'prune' });
  try {
    parseSelector(raw.selector);
  } catch (error) {
    throw new ModuleArgsError(`prune.selector: ${(error as Error).message}`, { field: 'prune' });
  }
}

/**
 * wait: { timeoutS } waits for what each applied kind reports (lib/k8s/waits.ts); condition with
 * resources adds waits on named resources (a webhook's Deployment another task installed).
 */
export function validateWait(wait: unknown): void {
  if (wait === undefined) return;
  const raw = requireObject(wait, ['condition', 'resources', 'timeoutS']);
  const fail = (message: string) => new ModuleArgsError(message, { field: 'wait' });
  if (raw.timeoutS === undefined) throw fail('wait.timeoutS (seconds) is required: a wait without a bound can hang a run');
  if (typeof raw.timeoutS !== 'number' || !Number.isInteger(raw.timeoutS) || raw.timeoutS <= 0)
    throw fail(`wait.timeoutS must be a positive whole number of seconds, got ${JSON.stringify(raw.timeoutS)}`);
  if (raw.condition === undefined && raw.resources === undefined) return;
  if (raw.condition === undefined) throw fail('wait.resources needs wait.condition: the condition to wait for on them, e.g. Available');
  if (typeof raw.condition !== 'string' || !CONDITION.test(raw.condition)) throw fail(`wait.condition must be a condition name such as Available or Ready=True, got ${JSON.stringify(raw.condition)}`);
  if (!Array.isArray(raw.resources) || raw.resources.length === 0 || !raw.resources.every((r) => typeof r === 'string' && RESOURCE.test(r))) {
    throw fail(
      'wait.condition needs wait.resources, a non-empty list of kind[.group]/name to wait for it on, e.g. deployment.apps/cert-manager-webhook (the applied objects are waited for by kind already)',
    );
  }
}
