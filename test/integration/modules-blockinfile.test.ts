/** blockinfile on a real test-bed host, over SSH as deploy with sudo. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { rejects } from 'node:assert/strict';
import { ModuleArgsError, TaskFailedError } from '../../lib/errors.ts';
import { blockinfile, type BlockinfileArgs } from '../../lib/modules/blockinfile.ts';
import type { TextEditData } from '../../lib/modules/support/text-file-edit.ts';
import type { TaskResult } from '../../lib/result.ts';
import { beforeAll } from '../support/before-all.ts';
import { startModuleBed, type BedModuleHost } from '../support/module-host.ts';

let h: BedModuleHost;

beforeAll(test, async () => {
  h = await startModuleBed('bi1');
  await h.sh('mkdir -p /etc/bi && printf "127.0.0.1 localhost\\n::1 localhost\\n" > /etc/bi/hosts && chmod 0604 /etc/bi/hosts');
});
test.after(() => h?.stop());

const run = (args: BlockinfileArgs, options: { check?: boolean; diff?: boolean } = {}) => h.run(blockinfile, args, options);
const HOSTS: BlockinfileArgs = { path: '/etc/bi/hosts', block: '10.0.0.11 s1\n10.0.0.12 s2', marker: '# {mark} ploy k3s servers' };

test('converge inserts the block; a second run is ok in ONE channel', async () => {
  const result = await run(HOSTS);
  assert.equal([result.status, result.data.msg], ['changed', 'Block inserted']);
  assert.is(await h.sh('cat /etc/bi/hosts'), '127.0.0.1 localhost\n::1 localhost\n# BEGIN ploy k3s servers\n10.0.0.11 s1\n10.0.0.12 s2\n# END ploy k3s servers\n');
  assert.is(await h.sh('stat -c %a /etc/bi/hosts'), '604\n', 'the mode is kept');
  let again: TaskResult<TextEditData> | undefined;
  assert.is(await h.channels(async () => (again = await run(HOSTS))), 1);
  assert.is(again?.status, 'ok');
});

test('a block edited by hand: check mode shows the diff and alters nothing; converge restores it in place', async () => {
  await run(HOSTS);
  await h.sh("sed -i 's/10.0.0.12 s2/10.9.9.9 intruder/' /etc/bi/hosts && echo '192.168.1.1 after' >> /etc/bi/hosts");
  let planned: TaskResult<TextEditData> | undefined;
  assert.is(await h.channels(async () => (planned = await run(HOSTS, { check: true, diff: true }))), 1);
  assert.is(planned?.status, 'changed');
  assert.match(planned?.diff ?? '', '-10.9.9.9 intruder\n+10.0.0.12 s2\n');
  assert.match(await h.sh('cat /etc/bi/hosts'), 'intruder', 'check mode changed nothing');
  await run(HOSTS);
  assert.is(await h.sh('cat /etc/bi/hosts'), '127.0.0.1 localhost\n::1 localhost\n# BEGIN ploy k3s servers\n10.0.0.11 s1\n10.0.0.12 s2\n# END ploy k3s servers\n192.168.1.1 after\n');
});

test('state absent removes the block and its markers; then ok', async () => {
  const args: BlockinfileArgs = { ...HOSTS, state: 'absent' };
  assert.equal((await run(args)).data.msg, 'Block removed');
  assert.is(await h.sh('cat /etc/bi/hosts'), '127.0.0.1 localhost\n::1 localhost\n192.168.1.1 after\n');
  assert.is((await run(args)).status, 'ok');
});

test('insertBefore a regexp, create with owner and mode', async () => {
  await h.sh('printf "<html>\\n<body>\\n</body>\\n</html>\\n" > /etc/bi/index.html');
  await run({ path: '/etc/bi/index.html', block: '<h1>hi</h1>', marker: '<!-- {mark} -->', insertBefore: '^</body>' });
  assert.is(await h.sh('cat /etc/bi/index.html'), '<html>\n<body>\n<!-- BEGIN -->\n<h1>hi</h1>\n<!-- END -->\n</body>\n</html>\n');
  const created: BlockinfileArgs = { path: '/etc/bi/conf.d/extra.conf', block: 'k=v', create: true, owner: 'deploy', group: 'deploy', mode: '0600' };
  await run(created);
  assert.is(await h.sh('cat /etc/bi/conf.d/extra.conf; stat -c "%a %U %G" /etc/bi/conf.d/extra.conf'), '# BEGIN ANSIBLE MANAGED BLOCK\nk=v\n# END ANSIBLE MANAGED BLOCK\n600 deploy deploy\n');
  assert.is((await run(created)).status, 'ok');
});

test('a missing file without create fails; absent on a missing file is ok; bad args touch nothing', async () => {
  await rejects(
    () => run({ path: '/etc/bi/missing', block: 'x' }),
    (error: Error) => error instanceof TaskFailedError && /\/etc\/bi\/missing does not exist/.test(error.message),
  );
  assert.is((await run({ path: '/etc/bi/missing', state: 'absent' })).status, 'ok');
  const before = h.connection.channelsOpened;
  await rejects(() => run({ path: '/etc/bi/hosts', block: 'x', marker: 'no mark here' }), ModuleArgsError);
  await rejects(() => run({ path: '/etc/bi/hosts', block: 'x', insertAfter: '(' }), /field "insertAfter"/);
  assert.is(h.connection.channelsOpened, before);
});

test.run();
