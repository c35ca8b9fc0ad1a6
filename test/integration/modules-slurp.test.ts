/** slurp from a real test-bed host (as deploy with sudo): a read that never changes anything. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { rejects } from 'node:assert/strict';
import { ModuleArgsError, TaskFailedError } from '../../lib/errors.ts';
import { slurp } from '../../lib/modules/slurp.ts';
import { isSecret, mask } from '../../lib/secret.ts';
import { beforeAll } from '../support/before-all.ts';
import { startModuleBed, type BedModuleHost } from '../support/module-host.ts';

let h: BedModuleHost;

beforeAll(test, async () => {
  h = await startModuleBed('sl1');
  await h.sh('mkdir -p /var/lib/rancher/k3s/server && echo K10bed-slurp-token::server:abc123 > /var/lib/rancher/k3s/server/token && chmod 0600 /var/lib/rancher/k3s/server/token');
});
test.after(() => h?.stop());

test('a root-only token read as a Secret, in one channel, ok, also in check mode; masked from then on', async () => {
  for (const check of [false, true]) {
    let content: unknown;
    const channels = await h.channels(async () => {
      const result = await h.run(slurp, { src: '/var/lib/rancher/k3s/server/token', secret: true }, { check });
      assert.equal([result.status, result.changed], ['ok', false]);
      content = result.data.content;
    });
    assert.is(channels, 1);
    assert.ok(isSecret(content));
    assert.is(isSecret(content) ? content.reveal() : '', 'K10bed-slurp-token::server:abc123\n');
  }
  assert.is(mask('token is K10bed-slurp-token::server:abc123.'), 'token is ***.');
});

test('text by default, base64 for any bytes; a non-UTF-8 file asks for base64', async () => {
  assert.is((await h.run(slurp, { src: '/etc/hostname' })).data.content, 'sl1\n');
  await h.sh("printf '\\377\\000\\001' > /tmp/bin");
  const result = await h.run(slurp, { src: '/tmp/bin', encoding: 'base64' });
  assert.equal([result.data.content, result.data.size], [Buffer.from([255, 0, 1]).toString('base64'), 3]);
  await rejects(() => h.run(slurp, { src: '/tmp/bin' }), /\/tmp\/bin is not UTF-8 text; read it with encoding: 'base64'/);
});

test('a missing file fails naming it; bad arguments touch nothing', async () => {
  await rejects(
    () => h.run(slurp, { src: '/etc/none' }),
    (error: Error) => error instanceof TaskFailedError && /\/etc\/none does not exist/.test(error.message),
  );
  const before = h.connection.channelsOpened;
  await rejects(() => h.run(slurp, { src: 'token' }), ModuleArgsError);
  await rejects(() => h.run(slurp, { src: '/etc/hostname', encoding: 'hex' as 'utf8' }), /field "encoding"/);
  assert.is(h.connection.channelsOpened, before);
});

test.run();
