import { ModuleArgsError } from '../../errors.ts';
import { optionalAccount, optionalBoolean, optionalString } from './args.ts';
import { parseMode } from './mode.ts';

/** The file arguments lineinfile and blockinfile share: owner, group, mode, backup, validate. */
export function validateEditAttributes(raw: Record<string, unknown>): void {
  optionalAccount(raw.owner, 'owner');
  optionalAccount(raw.group, 'group');
  if (raw.mode !== undefined) parseMode(raw.mode, 'mode');
  optionalBoolean(raw.backup, 'backup');
  const validate = optionalString(raw.validate, 'validate');
  if (validate !== undefined && !validate.includes('%s')) {
    throw new ModuleArgsError(`must contain %s, the path of the new file to check (e.g. 'visudo -cf %s'), got ${JSON.stringify(validate)}`, { field: 'validate' });
  }
}
