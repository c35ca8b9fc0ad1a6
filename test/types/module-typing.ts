/**
 * Checked by `npm run typecheck` only (never run): a project's own modules on the task API, typed
 * like the built-ins. Each @ts-expect-error line must stay an error, or tsc fails on the unused directive.
 */
import { definePlay, defineRole as plainDefineRole, secret, withModules, type TaskApi } from '../../lib/index.ts';
import { iniFile } from '../../examples/ini-file/ini-file.ts';
import { defineRole } from '../../examples/ini-file/project.ts';
import { journald } from '../../examples/ini-file/role.ts';
import { hello } from '../../examples/hello/role.ts';

export const custom = defineRole<{ max_use: string }, 'restart journald'>({
  name: 'custom',
  hosts: 'all',
  defaults: { max_use: '1G' },
  handlers: {
    'restart journald': async (t) => {
      // The handlers' t has the project's modules as well.
      await t.iniFile('in a handler', { path: '/etc/a.ini', section: 'a', state: 'absent' });
    },
  },
  async run(t, vars) {
    const result = await t.iniFile('cap', { path: '/etc/a.ini', section: 'Journal', option: 'SystemMaxUse', value: vars.max_use }, { notify: 'restart journald', retries: 1 });
    const msg: string | undefined = result.data.msg;
    const sha: string | undefined = result.data.sha256;
    void msg;
    void sha;
    await t.iniFile('secret', { path: '/etc/a.ini', section: 'db', option: 'password', value: secret('pw-value') }, { until: (r) => r.data.msg !== '' });
    await t.iniFile('number', { path: '/etc/a.ini', option: 'port', value: 8080 }, { become: true, delegateTo: 'h2', runOnce: true, tags: ['ini'] });
    // Built-ins are still there beside them.
    await t.file('dir', { path: '/etc/x', state: 'directory' });
    // @ts-expect-error a misspelled argument of the project's module does not compile
    await t.iniFile('typo', { path: '/etc/a.ini', sektion: 'a', option: 'k', value: 'v' });
    // @ts-expect-error value is a string, a number or a Secret
    await t.iniFile('bad value', { path: '/etc/a.ini', option: 'k', value: true });
    // @ts-expect-error a misspelled handler does not compile on the project's module either
    await t.iniFile('notify', { path: '/etc/a.ini', option: 'k', value: 'v' }, { notify: 'restart journal' });
    // @ts-expect-error until is typed by the module's data: it has no field "ready"
    await t.iniFile('until', { path: '/etc/a.ini', option: 'k', value: 'v' }, { until: (r) => r.data.ready === true });
    // @ts-expect-error a module the project did not register is not a method
    await t.sysctlFile('x', {});
  },
});

export const plain = plainDefineRole({
  name: 'plain',
  hosts: 'all',
  defaults: {},
  async run(t) {
    // @ts-expect-error the plain defineRole has the built-ins only
    await t.iniFile('x', { path: '/etc/a.ini', option: 'k', value: 'v' });
  },
});

// A role with the project's modules goes in a play beside one without.
export const play = definePlay({ name: 'mixed', roles: [journald, custom, hello, plain] });

// A helper of the project's own takes the task API with its modules.
export async function capJournal(t: TaskApi<never, { iniFile: typeof iniFile }>): Promise<void> {
  await t.iniFile('cap', { path: '/etc/a.ini', section: 'Journal', option: 'SystemMaxUse', value: '1G' });
}

// @ts-expect-error a name a built-in module has is refused by the type checker too
export const shadowsCopy = (): unknown => withModules({ copy: iniFile });
// @ts-expect-error so is a member of the task API
export const shadowsRun = (): unknown => withModules({ run: iniFile });
// @ts-expect-error only modules can be registered
export const notAModule = (): unknown => withModules({ ini: { name: 'ini' } });
