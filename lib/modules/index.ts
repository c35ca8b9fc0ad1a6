import { apt } from './apt.ts';
import { authorizedKey } from './authorized-key.ts';
import { blockinfile } from './blockinfile.ts';
import { command } from './command.ts';
import { copy } from './copy.ts';
import { fetch } from './fetch.ts';
import { file } from './file.ts';
import { getUrl } from './get-url.ts';
import { group } from './group.ts';
import { helm } from './helm.ts';
import { kubectlApply } from './kubectl-apply.ts';
import { lineinfile } from './lineinfile.ts';
import { modprobe } from './modprobe.ts';
import { shell } from './shell.ts';
import { slurp } from './slurp.ts';
import { sudoers } from './sudoers.ts';
import { sysctl } from './sysctl.ts';
import { systemd } from './systemd.ts';
import { template } from './template.ts';
import { unarchive } from './unarchive.ts';
import { user } from './user.ts';
import { waitFor } from './wait-for.ts';

/**
 * The built-in modules. Every entry becomes a method of a role's task API (t.file(...), t.copy(...)),
 * typed from the module's arguments and data.
 */
export const builtinModules = {
  command,
  shell,
  file,
  copy,
  template,
  lineinfile,
  blockinfile,
  getUrl,
  kubectlApply,
  helm,
  apt,
  user,
  group,
  authorizedKey,
  sudoers,
  sysctl,
  modprobe,
  systemd,
  unarchive,
  fetch,
  slurp,
  waitFor,
};

export type BuiltinModules = typeof builtinModules;
