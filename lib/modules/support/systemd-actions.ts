import { TaskFailedError } from '../../errors.ts';
import { quote } from '../../shell.ts';

/** The properties one `systemctl show` prints for a unit. */
export interface UnitStatus {
  readonly activeState: string;
  readonly subState: string;
  /** enabled, disabled, static, masked, ... ('' when systemd knows no unit file). */
  readonly unitFileState: string;
  /** loaded, not-found, masked, error, ... */
  readonly loadState: string;
  readonly needDaemonReload: boolean;
  readonly fragmentPath: string;
}

export const SHOW_PROPERTIES = 'ActiveState,SubState,UnitFileState,LoadState,NeedDaemonReload,FragmentPath';

export function parseUnitStatus(facts: Map<string, string[]>): UnitStatus {
  const get = (key: string) => facts.get(key)?.[0];
  const activeState = get('ActiveState');
  const loadState = get('LoadState');
  if (activeState === undefined || loadState === undefined) throw new Error('systemctl show printed no ActiveState/LoadState');
  return {
    activeState,
    subState: get('SubState') ?? '',
    unitFileState: get('UnitFileState') ?? '',
    loadState,
    needDaemonReload: get('NeedDaemonReload') === 'yes',
    fragmentPath: get('FragmentPath') ?? '',
  };
}

export interface UnitWanted {
  readonly name: string;
  readonly state?: 'started' | 'stopped' | 'restarted' | 'reloaded' | undefined;
  readonly enabled?: boolean | undefined;
  readonly masked?: boolean | undefined;
  readonly daemonReload?: boolean | undefined;
}

/** The unit is to be started or enabled and systemd has no unit file for it, nor is one being written. */
export function unitMissing(status: UnitStatus, wanted: UnitWanted, unitWritten: boolean): boolean {
  const activates = wanted.state !== undefined && wanted.state !== 'stopped';
  return !unitWritten && status.loadState === 'not-found' && (activates || wanted.enabled === true);
}

export function unitMissingMessage(name: string): string {
  return `unit ${name} not found (no unit file; give unit content or install the package that ships it)`;
}

export interface UnitAction {
  readonly summary: string;
  readonly command: string;
}

const RUNNING = ['active', 'activating', 'reloading'];
const ENABLED = ['enabled', 'enabled-runtime'];
/** Unit file states that enabling cannot change: no [Install] section, generated, an alias... */
const NOT_ENABLEABLE = ['static', 'generated', 'transient', 'alias', 'indirect'];

/**
 * The systemctl calls that bring a unit from `status` to what is wanted, in the order they must
 * run: daemon-reload, unmask, enable/disable, start/stop/restart/reload, mask. `unitWritten`: the
 * unit file's content is about to change (it will exist even if systemd does not know it yet).
 * restarted and reloaded always act, as in Ansible; started and stopped only when needed.
 */
export function unitActions(status: UnitStatus, wanted: UnitWanted, unitWritten: boolean): UnitAction[] {
  const unit = quote(wanted.name);
  const actions: UnitAction[] = [];
  const masked = status.unitFileState === 'masked' || status.loadState === 'masked';
  const activates = wanted.state !== undefined && wanted.state !== 'stopped';
  if (unitMissing(status, wanted, unitWritten)) throw new TaskFailedError(unitMissingMessage(wanted.name));
  if (wanted.daemonReload !== false && (unitWritten || status.needDaemonReload)) {
    actions.push({ summary: `daemon-reload (${unitWritten ? `${wanted.name} changed` : `systemd reports ${wanted.name} changed on disk`})`, command: 'systemctl daemon-reload' });
  }
  if (masked && wanted.masked === false) actions.push({ summary: `unmask ${wanted.name}`, command: `systemctl unmask -- ${unit}` });
  if (masked && wanted.masked !== false && (activates || wanted.enabled === true)) {
    throw new TaskFailedError(`unit ${wanted.name} is masked; set masked: false to ${activates ? 'start' : 'enable'} it`);
  }
  const fileState = masked && wanted.masked === false ? 'disabled' : status.unitFileState;
  if (wanted.enabled === true && !ENABLED.includes(fileState) && !NOT_ENABLEABLE.includes(fileState)) {
    actions.push({ summary: `enable ${wanted.name}`, command: `systemctl enable -- ${unit}` });
  }
  if (wanted.enabled === false && ENABLED.includes(fileState)) {
    actions.push({ summary: `disable ${wanted.name}`, command: `systemctl disable -- ${unit}` });
  }
  const running = RUNNING.includes(status.activeState);
  if (wanted.state === 'started' && !running) actions.push({ summary: `start ${wanted.name} (was ${status.activeState})`, command: `systemctl start -- ${unit}` });
  if (wanted.state === 'stopped' && running) actions.push({ summary: `stop ${wanted.name}`, command: `systemctl stop -- ${unit}` });
  if (wanted.state === 'restarted') actions.push({ summary: `restart ${wanted.name}`, command: `systemctl restart -- ${unit}` });
  if (wanted.state === 'reloaded') {
    actions.push(
      running
        ? { summary: `reload ${wanted.name}`, command: `systemctl reload -- ${unit}` }
        : { summary: `start ${wanted.name} (reloaded, but it was ${status.activeState})`, command: `systemctl start -- ${unit}` },
    );
  }
  if (wanted.masked === true && !masked && status.fragmentPath === `/etc/systemd/system/${wanted.name}`) {
    throw new TaskFailedError(`cannot mask ${wanted.name}: its unit file ${status.fragmentPath} is where the mask would go (remove the file, or mask a unit a package ships)`);
  }
  if (wanted.masked === true && !masked) actions.push({ summary: `mask ${wanted.name}`, command: `systemctl mask -- ${unit}` });
  return actions;
}
