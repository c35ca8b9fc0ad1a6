import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { LocalConnection } from '../../lib/connection/local.ts';
import { ConnectionPool } from '../../lib/connection/pool.ts';
import type { ConnectionSpec } from '../../lib/connection/spec.ts';
import { UnreachableError } from '../../lib/errors.ts';

const spec = (name: string, extra: Partial<ConnectionSpec> = {}): ConnectionSpec => ({
  name,
  kind: 'ssh',
  endpoint: { address: '127.0.0.1', port: 1, user: 'nobody' },
  become: false,
  becomeUser: 'root',
  ...extra,
});

test('local specs get a LocalConnection, one per host name, shared by concurrent get() calls', async () => {
  const pool = new ConnectionPool();
  const [a, b, c] = await Promise.all([pool.get(spec('me', { kind: 'local' })), pool.get(spec('me', { kind: 'local' })), pool.get(spec('other', { kind: 'local' }))]);
  assert.instance(a, LocalConnection);
  assert.is(a, b);
  assert.is.not(a, c);
  assert.is((await a.exec('echo $0')).code, 0);
  assert.is(a.channelsOpened, 1);
  assert.is(pool.openConnections().length, 2);
  await pool.closeAll();
  assert.is(pool.openConnections().length, 0);
});

test("the pool's command timeout applies to local hosts too", async () => {
  const pool = new ConnectionPool({ commandTimeoutMs: 200 });
  const local = await pool.get(spec('me', { kind: 'local' }));
  const r = await local.exec('sleep 5');
  assert.is(r.code, -1);
  assert.match(r.stderr, 'timed out after 200 ms');
});

test('a refused connection is UnreachableError naming host and address; it is not cached', async () => {
  const pool = new ConnectionPool({ connectTimeoutMs: 2000 });
  for (let i = 0; i < 2; i++) {
    try {
      await pool.get(spec('web1'));
      assert.unreachable();
    } catch (error) {
      assert.instance(error, UnreachableError);
      assert.match((error as Error).message, /^web1: cannot connect to nobody@127\.0\.0\.1:1: .*ECONNREFUSED/);
    }
  }
});

test('hosts behind a jump host that is down are each "unreachable through jump host NAME"', async () => {
  const pool = new ConnectionPool({ connectTimeoutMs: 2000 });
  const bastion = spec('bastion');
  const results = await Promise.allSettled(['a', 'b'].map((name) => pool.get(spec(name, { endpoint: { address: '10.0.0.5', port: 22, user: 'x' }, jump: bastion }))));
  for (const [i, result] of results.entries()) {
    assert.is(result.status, 'rejected');
    const error = (result as PromiseRejectedResult).reason as Error;
    assert.instance(error, UnreachableError);
    assert.match(error.message, new RegExp(`^${['a', 'b'][i]}: unreachable through jump host bastion: cannot connect to nobody@127\\.0\\.0\\.1:1`));
  }
});

test.run();
