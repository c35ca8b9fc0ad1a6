import { ModuleArgsError, TaskFailedError } from '../errors.ts';
import { defineModule, type Change } from '../module.ts';
import { quote } from '../shell.ts';
import { optionalAbsolutePath, optionalBoolean } from './support/args.ts';
import { contentProbeScript, planContentFromFacts } from './support/content-plan.ts';
import { parseProbeOutput, readPathState } from './support/probe.ts';
import { runChecked } from './support/run.ts';
import { canonicalKey, editSysctlConf, normalValue, procPath } from './support/sysctl-conf.ts';
import { readProbedText, textProbeScript } from './support/text-probe.ts';
import { argsSchema, checkedAcross, choice, choiceType, optional, PRESENCE, required, type SchemaArgs } from './support/schema.ts';

export const sysctlArgs = argsSchema(
  {
    name: required('string', sysctlKey, "The key: 'net.ipv4.ip_forward' (or 'net/ipv4/ip_forward')."),
    value: optional('string | number', checkedAcross<string | number>(), 'Required for state present: a number or a one-line string.'),
    state: optional(choiceType(PRESENCE), choice(PRESENCE), 'present: persisted and applied; absent: its lines removed from the file (the live value is left).', "'present'"),
    file: optional('string', optionalAbsolutePath, 'The sysctl.d file that persists it.', "'/etc/sysctl.d/99-ploy.conf'"),
    reload: optional('boolean', optionalBoolean, 'Also set the live value (sysctl -w) when it differs; false only persists.', 'true'),
  },
  {
    summary: 'A kernel parameter, persisted in a sysctl.d file and set live.',
    checkMode:
      'One probe (the file and the live value from `/proc/sys`); reports `persist k = v in FILE (was x)` and `set k a -> b (live)`; a key that cannot be written (read-only `/proc/sys`, as in a container) or does not exist fails with the reason unless `reload: false`.',
    notes: [
      "Verified in containers: the test bed's containers see `/proc/sys` read-only and lack CAP_NET_ADMIN, so no key can be set there over SSH; the integration test makes only `kernel.domainname` writable (a read-write bind mount over that one file, from outside; it belongs to the container's own UTS namespace) and uses `vm.swappiness` for the read-only case. `systemd-sysctl` applying the written file is also tested.",
    ],
    across(args) {
      if ((args.state ?? 'present') === 'present') {
        const value: unknown = args.value;
        if (typeof value === 'number' ? !Number.isFinite(value) : typeof value !== 'string' || value.trim() === '' || /[\n\r\0]/.test(value)) {
          throw new ModuleArgsError(`state 'present' needs a value: a number or a one-line string, got ${JSON.stringify(value)}`, { field: 'value' });
        }
      } else if (args.value !== undefined) {
        throw new ModuleArgsError(`state 'absent' takes no value`, { field: 'value' });
      }
    },
  },
);

export type SysctlArgs = SchemaArgs<typeof sysctlArgs>;

function sysctlKey(value: unknown, field: string): string {
  if (typeof value !== 'string' || !KEY.test(value) || /[./]{2}|[./]$/.test(value)) {
    throw new ModuleArgsError(`must be a sysctl key like 'net.ipv4.ip_forward', got ${JSON.stringify(value)}`, { field });
  }
  return value;
}

export interface SysctlData {
  name: string;
  /** The live value as probed, blanks squeezed (before any change). */
  live: string;
  file: string;
}

export const DEFAULT_SYSCTL_FILE = '/etc/sysctl.d/99-ploy.conf';
const KEY = /^[A-Za-z0-9_][A-Za-z0-9_.\/@:-]*$/;

/** One probe: the file (stat, sha256, text), and the key's live value and whether it can be written. */
function probeScript(name: string, file: string): string {
  const proc = quote(procPath(name));
  return [
    contentProbeScript(file),
    textProbeScript('conf', file),
    `if [ ! -e ${proc} ]; then echo live.state=missing`,
    `elif ploy_v=$(cat ${proc} 2>/dev/null); then printf 'live.value=%s\\n' "$(printf '%s' "$ploy_v" | tr '\\n\\t' '  ')"; if [ -w ${proc} ]; then echo live.state=writable; else echo live.state=read-only; fi`,
    'else echo live.state=unreadable; fi',
  ].join('\n');
}

export const sysctl = defineModule<SysctlArgs, SysctlData>({
  name: 'sysctl',
  batchProbes: true,

  schema: sysctlArgs,
  validate: sysctlArgs.validate,

  async plan(ctx, args) {
    const name = canonicalKey(args.name);
    const file = args.file ?? DEFAULT_SYSCTL_FILE;
    const value = args.value === undefined ? undefined : normalValue(String(args.value));
    const facts = parseProbeOutput((await runChecked(ctx, probeScript(name, file), `probe of sysctl ${name}`, { probe: true })).stdout);
    const liveState = facts.get('live.state')?.[0];
    const live = facts.get('live.value')?.[0];
    const data = { name, file, ...(live !== undefined ? { live: normalValue(live) } : {}) };
    const changes: Change<SysctlData>[] = [];

    const current = readProbedText(facts, 'conf', file, 'sysctl edits text files only');
    if (current === undefined && readPathState(facts, 'dest').type !== 'absent') throw new TaskFailedError(`${file} is not a regular file`);
    const edit = editSysctlConf(current ?? '', name, value);
    if (edit.changed) {
      const plan = await planContentFromFacts(ctx, { dest: file, content: edit.text, currentText: current }, facts);
      const what = value === undefined ? `remove ${name} from ${file}` : `persist ${name} = ${value} in ${file}${edit.before !== undefined ? ` (was ${edit.before})` : ''}`;
      for (const change of plan.changes) {
        changes.push({ summary: what, ...(change.diff ? { diff: change.diff } : {}), apply: async () => void (await change.apply()) });
      }
    }

    if (value !== undefined && args.reload !== false) {
      if (liveState === 'missing') throw new TaskFailedError(`unknown sysctl key ${name}: ${procPath(name)} does not exist (a module not loaded? reload: false only persists it)`);
      if (liveState === 'unreadable') throw new TaskFailedError(`cannot read the live value of ${name} (write-only?); reload: false only persists it`);
      if (live === undefined || normalValue(live) !== value) {
        if (liveState !== 'writable') {
          throw new TaskFailedError(
            `${name} is read-only here (${procPath(name)} cannot be written: /proc/sys is mounted read-only, as in a container, or the key is fixed); ` +
              `its live value is ${live === undefined ? 'unknown' : JSON.stringify(normalValue(live))}, wanted ${JSON.stringify(value)}; reload: false only persists it`,
          );
        }
        const command = `sysctl -q -w ${quote(`${name}=${value}`)}`;
        changes.push({
          summary: `set ${name} ${live === undefined ? '' : `${normalValue(live)} `}-> ${value} (live)`,
          async apply() {
            await runChecked(ctx, command, `setting ${name} live`);
          },
        });
      }
    }
    return { changes, data };
  },
});
