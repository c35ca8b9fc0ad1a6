import { blockinfile } from './blockinfile.ts';
import { command } from './command.ts';
import { copy } from './copy.ts';
import { file } from './file.ts';
import { getUrl } from './get-url.ts';
import { helm } from './helm.ts';
import { kubectlApply } from './kubectl-apply.ts';
import { lineinfile } from './lineinfile.ts';
import { shell } from './shell.ts';
import { template } from './template.ts';

/**
 * The built-in modules. Every entry becomes a method of a role's task API (t.file(...), t.copy(...)),
 * typed from the module's arguments and data.
 */
export const builtinModules = { command, shell, file, copy, template, lineinfile, blockinfile, getUrl, kubectlApply, helm };

export type BuiltinModules = typeof builtinModules;
