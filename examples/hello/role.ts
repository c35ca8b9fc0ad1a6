import { defineRole } from '../../lib/index.ts';

/**
 * The README's example role: a config directory, a templated file that names the host's groups,
 * a one-time command guarded by `creates`, and a handler notified by either file change.
 */
export const hello = defineRole<{ greeting: string; owner_team: string }, 'record reload'>({
  name: 'hello',
  hosts: 'all',
  defaults: { greeting: 'Hello from ploy', owner_team: 'platform' },
  handlers: {
    'record reload': async (t) => {
      await t.shell('record a reload', { cmd: 'date +%s >> /var/lib/hello/reloads' });
    },
  },
  async run(t, vars) {
    await t.file('config directory', { path: '/etc/hello', state: 'directory', mode: '0755' });
    await t.file('state directory', { path: '/var/lib/hello', state: 'directory', mode: '0750' });
    await t.template('greeting', { src: 'hello/greeting.conf.hbs', dest: '/etc/hello/greeting.conf', mode: '0644' }, { notify: 'record reload' });
    await t.command('first-boot marker', { cmd: ['touch', '/var/lib/hello/initialised'], creates: '/var/lib/hello/initialised' });
    const uptime = await t.command('read uptime', { cmd: 'cat /proc/uptime', readOnly: true });
    if (!uptime.data.stdout) t.fail(`no uptime on ${t.host.name} (${vars.owner_team} should look)`);
  },
});
