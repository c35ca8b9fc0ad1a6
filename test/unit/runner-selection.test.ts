import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { InputError } from '../../lib/errors.ts';
import { defineRole, definePlay, type Play, type Role } from '../../lib/role.ts';
import { runPlay } from '../../lib/runner/run-play.ts';
import { CountingPool, RecordingReporter, localInventory, recorder, rejection, runOptions } from './runner-support.ts';

const inventory = () => localInventory({ bastion: {}, s1: {}, s2: {}, s3: {} }, { bastion: ['bastion'], servers: ['s1', 's2', 's3'], buildkit: ['s3'] });

function play(log: string[]): Play {
  const record = recorder(log);
  const role = (name: string, hosts: string, defaults: Record<string, unknown> = {}): Role =>
    defineRole({
      name,
      hosts,
      defaults,
      async run(t, vars) {
        await t.run(name, record, { entry: `${name}@${t.host.name}${vars['color'] ? `:${String(vars['color'])}` : ''}` });
      },
    }) as Role;
  return definePlay({ name: 'site', roles: [role('base', 'all'), role('k3s', 'servers', { color: 'default' }), role('buildkit', 'buildkit')] });
}

test('roles run in play order, each on its hosts; play-start lists every host once', async () => {
  const log: string[] = [];
  const reporter = new RecordingReporter();
  await runPlay(play(log), runOptions(inventory(), new CountingPool(), { forks: 1 }), reporter);
  assert.equal(log, ['base@bastion', 'base@s1', 'base@s2', 'base@s3', 'k3s@s1:default', 'k3s@s2:default', 'k3s@s3:default', 'buildkit@s3']);
  assert.equal(reporter.of('play-start')[0], { type: 'play-start', play: 'site', hosts: ['bastion', 's1', 's2', 's3'], check: false });
  assert.equal(
    reporter.of('role-start').map((e) => e.role),
    ['base', 'k3s', 'buildkit'],
  );
  assert.is(reporter.events.at(-1)?.type, 'play-end');
});

test('--role runs only the named roles; an unknown name lists the roles', async () => {
  const log: string[] = [];
  await runPlay(play(log), runOptions(inventory(), new CountingPool(), { roles: ['buildkit', 'base'], forks: 1 }), new RecordingReporter());
  assert.equal(log, ['base@bastion', 'base@s1', 'base@s2', 'base@s3', 'buildkit@s3']);
  const error = await rejection(runPlay(play([]), runOptions(inventory(), new CountingPool(), { roles: ['k3', 'base'] }), new RecordingReporter()));
  assert.instance(error, InputError);
  assert.match(error.message, /--role k3: no such role in play "site"; its roles are: base, k3s, buildkit/);
});

test("--limit intersects with each role's hosts; a limit that leaves nothing is an error", async () => {
  const log: string[] = [];
  const reporter = new RecordingReporter();
  await runPlay(play(log), runOptions(inventory(), new CountingPool(), { limit: 's2:s3', forks: 1 }), reporter);
  assert.equal(log, ['base@s2', 'base@s3', 'k3s@s2:default', 'k3s@s3:default', 'buildkit@s3']);
  assert.equal(reporter.of('play-start')[0]?.hosts, ['s2', 's3']);
  const error = await rejection(runPlay(play([]), runOptions(inventory(), new CountingPool(), { limit: 'bastion', roles: ['buildkit'] }), new RecordingReporter()));
  assert.match(error.message, /--limit bastion leaves no hosts to run on/);
});

test('a role with no hosts after the limit still reports its header, with no hosts', async () => {
  const reporter = new RecordingReporter();
  await runPlay(play([]), runOptions(inventory(), new CountingPool(), { limit: 'bastion' }), reporter);
  assert.equal(
    reporter.of('role-start').map((e) => [e.role, e.hosts]),
    [
      ['base', ['bastion']],
      ['k3s', []],
      ['buildkit', []],
    ],
  );
});

test('vars: role defaults < inventory < extra vars', async () => {
  const log: string[] = [];
  const inv = localInventory({ s1: { color: 'inventory' }, s2: {} }, { servers: ['s1', 's2'] });
  await runPlay(play(log), runOptions(inv, new CountingPool(), { roles: ['k3s'], forks: 1 }), new RecordingReporter());
  assert.equal(log, ['k3s@s1:inventory', 'k3s@s2:default']);
  log.length = 0;
  await runPlay(play(log), runOptions(inv, new CountingPool(), { roles: ['k3s'], forks: 1, extraVars: { color: 'extra' } }), new RecordingReporter());
  assert.equal(log, ['k3s@s1:extra', 'k3s@s2:extra']);
});

test('hostvars() and hostsOf() see other hosts', async () => {
  const log: string[] = [];
  const record = recorder(log);
  const role = defineRole({
    name: 'r',
    hosts: 'bastion',
    defaults: { port: 22 },
    async run(t) {
      const servers = t.hostsOf('servers:!buildkit');
      await t.run('x', record, { entry: `${servers.join(',')} ${String(t.hostvars('s1')['ip'])} ${String(t.hostvars('s1')['port'])} ${t.host.groups.join(',')}` });
    },
  });
  const inv = localInventory({ bastion: {}, s1: { ip: '10.0.0.1' }, s2: {}, s3: {} }, { bastion: ['bastion'], servers: ['s1', 's2', 's3'], buildkit: ['s3'] });
  await runPlay(definePlay({ name: 'p', roles: [role as Role] }), runOptions(inv, new CountingPool()), new RecordingReporter());
  assert.equal(log, ['s1,s2 10.0.0.1 22 all,bastion']);
});

test('a role whose hosts pattern is unknown is an InputError naming the role; forks must be positive', async () => {
  const bad = defineRole({ name: 'oops', hosts: 'nosuchgroup', defaults: {}, async run() {} });
  const error = await rejection(runPlay(definePlay({ name: 'p', roles: [bad as Role] }), runOptions(inventory(), new CountingPool()), new RecordingReporter()));
  assert.match(error.message, /role oops: hosts "nosuchgroup"/);
  const forks = await rejection(runPlay(play([]), runOptions(inventory(), new CountingPool(), { forks: 0 }), new RecordingReporter()));
  assert.match(forks.message, /forks must be a positive whole number, got 0/);
});

test.run();
