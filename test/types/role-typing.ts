/**
 * Checked by `npm run typecheck` only (never run): what the DSL's types accept and refuse. Each
 * @ts-expect-error line must stay an error, or tsc fails on the unused directive.
 */
import { defineModule, defineRole, type Secret } from '../../lib/index.ts';

const noData = defineModule<{ path: string }>({ name: 'no_data', validate: (args) => args, plan: async () => ({ changes: [] }) });

/** A role's variables as an interface; k3s_token is required from the inventory, so it has no default. */
interface ServerVars {
  k3s_version: string;
  k3s_token: Secret;
  k3s_port?: number;
}

export const typed = defineRole<ServerVars, 'restart k3s', 'k3s_token'>({
  name: 'typed',
  hosts: 'k3s_servers',
  required: ['k3s_token'],
  become: true,
  anyErrorsFatal: true,
  defaults: { k3s_version: 'v1.31.4+k3s1' },
  handlers: { 'restart k3s': async () => undefined },
  async run(t, vars) {
    const token: Secret = vars.k3s_token;
    const version: string = vars.k3s_version;
    void token;
    void version;
    await t.command('until on data', { cmd: 'true', readOnly: true }, { retries: 3, delayS: 1, until: (r) => r.data.stdout === '', delegateTo: 'server-1', runOnce: true });
    await t.run('no data, no until', noData, { path: '/x' }, { retries: 2 });
    // @ts-expect-error until on a module that returns no data: there is nothing to test
    await t.run('no data', noData, { path: '/x' }, { until: () => true });
    // @ts-expect-error until is typed by the module's data: command data has no field "ready"
    await t.command('wrong field', { cmd: 'true' }, { until: (r) => r.data.ready === true });
    // @ts-expect-error a misspelled handler does not compile
    await t.command('notify', { cmd: 'true' }, { notify: 'restart k3' });
    const facts = await t.facts();
    const arch: 'amd64' | string = facts.arch.go;
    void arch;
  },
});

// @ts-expect-error a variable that is neither required nor defaulted is missing from defaults
export const missingDefault = defineRole<ServerVars, never, 'k3s_token'>({ name: 'm', hosts: 'all', defaults: {}, async run() {} });
