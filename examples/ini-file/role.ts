import { defineRole } from './project.ts';

/**
 * Caps the systemd journal's disk use with a drop-in set by the project's iniFile module, and
 * restarts journald only when the drop-in changed.
 */
export const journald = defineRole<{ journald_max_use: string; journald_keep_free: string }, 'restart journald'>({
  name: 'journald',
  hosts: 'all',
  become: true,
  defaults: { journald_max_use: '200M', journald_keep_free: '1G' },
  handlers: {
    'restart journald': async (t) => {
      await t.systemd('restart journald', { name: 'systemd-journald', state: 'restarted' });
    },
  },
  async run(t, vars) {
    const dropIn = { path: '/etc/systemd/journald.conf.d/50-ploy.conf', section: 'Journal', mode: '0644', noExtraSpaces: true };
    await t.iniFile('journal disk cap', { ...dropIn, option: 'SystemMaxUse', value: vars.journald_max_use }, { notify: 'restart journald' });
    await t.iniFile('journal free space', { ...dropIn, option: 'SystemKeepFree', value: vars.journald_keep_free }, { notify: 'restart journald' });
  },
});
