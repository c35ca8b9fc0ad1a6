import { defineRole } from '../../lib/role.ts';
import { BENCH } from '../lib/desired-state.ts';

/**
 * The benchmark's role: the list of things, each as one task, in the order the Ansible
 * playbook (bench/ansible/site.yml) has them. Every value comes from bench/lib/desired-state.ts.
 */
export const benchRole = defineRole({
  name: 'bench',
  hosts: 'all',
  defaults: { bench_port: BENCH.port },
  async run(t) {
    await t.apt('packages present', { name: [...BENCH.packages], state: 'present' });
    await t.file('bench directory', { path: BENCH.directory, state: 'directory', owner: 'root', group: 'root', mode: '0755' });
    await t.copy('service unit copied', { src: 'bench-ticker.service', dest: BENCH.unitPath, owner: 'root', group: 'root', mode: '0644' });
    await t.template('config templated with host vars', { src: 'bench/app.conf.hbs', dest: BENCH.templatePath, owner: 'root', group: 'root', mode: '0644' });
    await t.lineinfile('backend line in /etc/hosts', { path: BENCH.linePath, regexp: '\\sbench-backend$', line: BENCH.line });
    await t.user('bench user', { name: BENCH.user, shell: BENCH.shell, home: BENCH.home, createHome: true });
    await t.file('its .ssh directory', { path: BENCH.sshDir, state: 'directory', owner: BENCH.user, group: BENCH.user, mode: '0700' });
    await t.authorizedKey('its authorized key', { user: BENCH.user, key: BENCH.key });
    await t.systemd('service started and enabled', { name: BENCH.service, state: 'started', enabled: true });
    await t.command('snapshot taken once', { cmd: ['cp', BENCH.snapshotSource, BENCH.snapshotPath], creates: BENCH.snapshotPath });
    await t.file('tree link', { path: BENCH.linkPath, state: 'link', src: BENCH.linkTarget });
  },
});
