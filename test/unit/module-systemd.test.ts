import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { unitName } from '../../lib/modules/systemd.ts';
import { parseUnitStatus, unitActions, type UnitStatus, type UnitWanted } from '../../lib/modules/support/systemd-actions.ts';
import { parseProbeOutput } from '../../lib/modules/support/probe.ts';

const status = (over: Partial<UnitStatus> = {}): UnitStatus => ({
  activeState: 'inactive',
  subState: 'dead',
  unitFileState: 'disabled',
  loadState: 'loaded',
  needDaemonReload: false,
  fragmentPath: '/lib/systemd/system/x.service',
  ...over,
});
const summaries = (s: UnitStatus, wanted: Omit<UnitWanted, 'name'>, written = false) => unitActions(s, { name: 'x.service', ...wanted }, written).map((a) => a.summary);

test('parseUnitStatus reads systemctl show output', () => {
  const facts = parseProbeOutput('ActiveState=active\nSubState=running\nUnitFileState=enabled\nLoadState=loaded\nNeedDaemonReload=no\nFragmentPath=/etc/systemd/system/x.service\n');
  assert.equal(parseUnitStatus(facts), {
    activeState: 'active',
    subState: 'running',
    unitFileState: 'enabled',
    loadState: 'loaded',
    needDaemonReload: false,
    fragmentPath: '/etc/systemd/system/x.service',
  });
  assert.throws(() => parseUnitStatus(parseProbeOutput('')), /no ActiveState/);
});

test('started/stopped act only when needed; activating and reloading count as running', () => {
  assert.equal(summaries(status(), { state: 'started' }), ['start x.service (was inactive)']);
  assert.equal(summaries(status({ activeState: 'failed' }), { state: 'started' }), ['start x.service (was failed)']);
  assert.equal(summaries(status({ activeState: 'activating' }), { state: 'started' }), []);
  assert.equal(summaries(status({ activeState: 'reloading' }), { state: 'stopped' }), ['stop x.service']);
  assert.equal(summaries(status({ activeState: 'failed' }), { state: 'stopped' }), []);
});

test('enable: static and generated units are left as they are; enabled-runtime counts as enabled', () => {
  assert.equal(summaries(status(), { enabled: true }), ['enable x.service']);
  assert.equal(summaries(status({ unitFileState: 'static' }), { enabled: true }), []);
  assert.equal(summaries(status({ unitFileState: 'generated' }), { enabled: false }), []);
  assert.equal(summaries(status({ unitFileState: 'enabled-runtime' }), { enabled: false }), ['disable x.service']);
  assert.equal(summaries(status({ unitFileState: 'linked' }), { enabled: true }), ['enable x.service']);
});

test('order: daemon-reload, unmask, enable, start, and mask last', () => {
  assert.equal(summaries(status({ unitFileState: 'masked', loadState: 'masked', needDaemonReload: true }), { masked: false, enabled: true, state: 'started' }), [
    'daemon-reload (systemd reports x.service changed on disk)',
    'unmask x.service',
    'enable x.service',
    'start x.service (was inactive)',
  ]);
  assert.equal(summaries(status({ activeState: 'active' }), { state: 'stopped', masked: true }), ['stop x.service', 'mask x.service']);
  assert.equal(summaries(status({ needDaemonReload: true }), { state: 'started', daemonReload: false }), ['start x.service (was inactive)']);
});

test('a unit about to be written counts as known; a missing one fails only when it must run or be enabled', () => {
  const missing = status({ loadState: 'not-found', unitFileState: '', fragmentPath: '' });
  assert.equal(summaries(missing, { state: 'started', enabled: true }, true), ['daemon-reload (x.service changed)', 'enable x.service', 'start x.service (was inactive)']);
  assert.throws(() => summaries(missing, { state: 'started' }), /unit x.service not found/);
  assert.equal(summaries(missing, { state: 'stopped', enabled: false }), []);
  assert.equal(summaries(missing, { masked: true }), ['mask x.service']);
});

test('restarted and reloaded always act', () => {
  assert.equal(summaries(status({ activeState: 'active' }), { state: 'restarted' }), ['restart x.service']);
  assert.equal(summaries(status({ activeState: 'active' }), { state: 'reloaded' }), ['reload x.service']);
  assert.equal(summaries(status(), { state: 'reloaded' }), ['start x.service (reloaded, but it was inactive)']);
});

test('unitName adds .service only when there is no unit suffix', () => {
  assert.is(unitName('web'), 'web.service');
  assert.is(unitName('backup.timer'), 'backup.timer');
  assert.is(unitName('getty@tty1.service'), 'getty@tty1.service');
});

test.run();
