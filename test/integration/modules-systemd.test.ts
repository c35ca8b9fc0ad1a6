import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { rejects } from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError, ModuleArgsError, TaskFailedError } from '../../lib/errors.ts';
import { systemd, type SystemdArgs } from '../../lib/modules/systemd.ts';
import { beforeAll } from '../support/before-all.ts';
import { startModuleBed, type BedModuleHost } from '../support/module-host.ts';

let h: BedModuleHost;
let project = '';

const UNIT = '[Unit]\nDescription=ploy test sleeper\n\n[Service]\nExecStart=/bin/sleep infinity\nExecReload=/bin/true\n\n[Install]\nWantedBy=multi-user.target\n';

beforeAll(test, async () => {
  project = mkdtempSync(join(tmpdir(), 'ploy-systemd-'));
  mkdirSync(join(project, 'templates', 'svc'), { recursive: true });
  writeFileSync(join(project, 'templates', 'svc', 'web.service.hbs'), '[Service]\nExecStart=/usr/bin/python3 -m http.server --bind 127.0.0.1 {{port}}\n\n[Install]\nWantedBy=multi-user.target\n');
  writeFileSync(join(project, 'templates', 'svc', 'broken.service.hbs'), '[Service]\nExecStart=/bin/sleep {{missing.var}}\n');
  h = await startModuleBed('d1');
});
test.after(async () => {
  await h?.stop();
  rmSync(project, { recursive: true, force: true });
});

const ctl = async (verb: string, unit: string) => (await h.sh(`systemctl ${verb} ${unit} || true`)).trim();
const mainPid = async (unit: string) => (await h.sh(`systemctl show -p MainPID --value ${unit}`)).trim();
const sleeper: SystemdArgs = { name: 'sleeper', unit: { content: UNIT }, enabled: true, state: 'started' };

test('writes the unit, reloads systemd, enables and starts it; then ok in one channel', async () => {
  const result = await h.run(systemd, sleeper);
  assert.equal(result.changes, [
    `create /etc/systemd/system/sleeper.service (${UNIT.length} bytes, mode 0644, owner root, group root)`,
    'daemon-reload (sleeper.service changed)',
    'enable sleeper.service',
    'start sleeper.service (was inactive)',
  ]);
  assert.is(await h.sh('cat /etc/systemd/system/sleeper.service'), UNIT);
  assert.is(await ctl('is-active', 'sleeper'), 'active');
  assert.is(await ctl('is-enabled', 'sleeper'), 'enabled');
  assert.equal([result.data.loadState, result.data.unitChanged], ['not-found', true], 'data is what the probe saw');
  let again;
  assert.is(await h.channels(async () => (again = await h.run(systemd, sleeper))), 1);
  assert.is(again!.status, 'ok', JSON.stringify(again!.changes));
  assert.equal([again!.data.activeState, again!.data.subState, again!.data.unitFileState, again!.data.unitChanged], ['active', 'running', 'enabled', false]);
});

test('drift: stopped and disabled by hand, unit edited: check mode predicts it all with a diff and alters nothing', async () => {
  await h.sh("systemctl stop sleeper && systemctl disable sleeper 2>/dev/null && sed -i 's/ploy test sleeper/edited/' /etc/systemd/system/sleeper.service");
  const planned = await h.run(systemd, sleeper, { check: true, diff: true });
  assert.equal(planned.changes, ['update /etc/systemd/system/sleeper.service content', 'daemon-reload (sleeper.service changed)', 'enable sleeper.service', 'start sleeper.service (was inactive)']);
  assert.match(planned.diff ?? '', '-Description=edited\n+Description=ploy test sleeper');
  assert.equal([await ctl('is-active', 'sleeper'), await ctl('is-enabled', 'sleeper')], ['inactive', 'disabled']);
  assert.match(await h.sh('cat /etc/systemd/system/sleeper.service'), 'Description=edited');
  assert.is((await h.run(systemd, sleeper)).status, 'changed');
  assert.equal([await ctl('is-active', 'sleeper'), await ctl('is-enabled', 'sleeper')], ['active', 'enabled']);
  assert.is((await h.sh('systemctl show -p Description --value sleeper')).trim(), 'ploy test sleeper', 'systemd loaded the new file');
});

test('same content rewritten by hand: systemd reports NeedDaemonReload, so only a daemon-reload is planned', async () => {
  await h.sh('cp /etc/systemd/system/sleeper.service /tmp/u && echo "# x" >> /etc/systemd/system/sleeper.service && systemctl daemon-reload && cp /tmp/u /etc/systemd/system/sleeper.service');
  assert.is((await h.sh('systemctl show -p NeedDaemonReload --value sleeper')).trim(), 'yes');
  const result = await h.run(systemd, sleeper);
  assert.equal(result.changes, ['daemon-reload (systemd reports sleeper.service changed on disk)']);
  assert.is((await h.sh('systemctl show -p NeedDaemonReload --value sleeper')).trim(), 'no');
  assert.is((await h.run(systemd, sleeper)).status, 'ok');
});

test('restarted always restarts (a new main PID); reloaded reloads a running unit and starts a stopped one', async () => {
  const before = await mainPid('sleeper');
  assert.equal((await h.run(systemd, { name: 'sleeper.service', state: 'restarted' })).changes, ['restart sleeper.service']);
  assert.is.not(await mainPid('sleeper'), before);
  const pid = await mainPid('sleeper');
  assert.equal((await h.run(systemd, { name: 'sleeper', state: 'reloaded' })).changes, ['reload sleeper.service']);
  assert.is(await mainPid('sleeper'), pid);
  await h.sh('systemctl stop sleeper');
  assert.equal((await h.run(systemd, { name: 'sleeper', state: 'reloaded' })).changes, ['start sleeper.service (reloaded, but it was inactive)']);
  assert.is(await ctl('is-active', 'sleeper'), 'active');
});

test('masked: a packaged unit is stopped and masked, then unmasked and started again; a unit of our own cannot be masked', async () => {
  await h.sh(`printf '%s' '${UNIT}' > /lib/systemd/system/pkgsleeper.service && systemctl daemon-reload && systemctl start pkgsleeper`);
  const masked = await h.run(systemd, { name: 'pkgsleeper', state: 'stopped', masked: true });
  assert.equal(masked.changes, ['stop pkgsleeper.service', 'mask pkgsleeper.service']);
  assert.equal([await ctl('is-active', 'pkgsleeper'), await ctl('is-enabled', 'pkgsleeper')], ['inactive', 'masked']);
  await rejects(() => h.run(systemd, { name: 'pkgsleeper', state: 'started' }), /unit pkgsleeper.service is masked; set masked: false to start it/);
  assert.is((await h.run(systemd, { name: 'pkgsleeper', state: 'stopped', masked: true })).status, 'ok');
  const back = await h.run(systemd, { name: 'pkgsleeper', masked: false, state: 'started' });
  assert.equal(back.changes, ['unmask pkgsleeper.service', 'start pkgsleeper.service (was inactive)']);
  assert.is(await ctl('is-active', 'pkgsleeper'), 'active');
  await rejects(
    () => h.run(systemd, { name: 'sleeper', masked: true }, { check: true }),
    /cannot mask sleeper.service: its unit file \/etc\/systemd\/system\/sleeper.service is where the mask would go/,
  );
});

test('a unit from a template serves on its port; an unknown unit is a clear error', async () => {
  const args: SystemdArgs = { name: 'web', unit: { template: { src: 'svc/web.service.hbs', vars: { port: 8099 } } }, state: 'started' };
  assert.is((await h.run(systemd, args, { projectDir: project })).status, 'changed');
  let body = '';
  for (let i = 0; i < 30 && !body.includes('Directory listing'); i++) {
    body = await h.sh(`python3 -c "import urllib.request as u; print(u.urlopen('http://127.0.0.1:8099/').read().decode())" 2>/dev/null || sleep 0.2`);
  }
  assert.match(body, 'Directory listing');
  assert.is((await h.run(systemd, args, { projectDir: project })).status, 'ok');
  await rejects(
    () => h.run(systemd, { name: 'nosuch', state: 'started' }),
    (e: Error) => e instanceof TaskFailedError && e.message.startsWith('unit nosuch.service not found'),
  );
  assert.is((await h.run(systemd, { name: 'nosuch', state: 'stopped', enabled: false })).status, 'ok');
});

test('bad arguments and template errors fail before any channel is opened', async () => {
  const before = h.connection.channelsOpened;
  await rejects(
    () => h.run(systemd, { name: 'bad name', state: 'started' }),
    (e: Error) => e instanceof ModuleArgsError && /field "name": systemd:/.test(e.message),
  );
  await rejects(() => h.run(systemd, { name: 'x', unit: { content: UNIT }, masked: true }), /masked: true and unit contradict/);
  await rejects(() => h.run(systemd, { name: 'x', masked: true, state: 'started' }), /field "masked"/);
  await rejects(() => h.run(systemd, { name: 'x', unit: { content: UNIT, template: { src: 'a' } } }), /exactly one/);
  await rejects(() => h.run(systemd, { name: 'x', state: 'running' as 'started' }), /field "state"/);
  await rejects(() => h.run(systemd, { name: 'x' }), /nothing to do/);
  await rejects(
    () => h.run(systemd, { name: 'x', unit: { template: { src: 'svc/broken.service.hbs' } } }, { projectDir: project }),
    (e: Error) => e instanceof InputError && /svc\/broken.service.hbs:2.*missing.var/.test(e.message),
  );
  await rejects(() => h.run(systemd, { name: 'x', unit: { template: { src: 'svc/none.hbs' } } }, { projectDir: project }), /template templates\/svc\/none.hbs not found/);
  assert.is(h.connection.channelsOpened, before);
});

test.run();
