/**
 * A change the module cannot predict (predictable: false): check mode skips the task and says why,
 * a real run applies it. The reason is the module's; without one the general words stay.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { LocalConnection } from '../../lib/connection/local.ts';
import { defineModule, type Change } from '../../lib/module.ts';
import { executeTask } from '../../lib/task/execute.ts';
import { moduleContext } from '../support/module-host.ts';

interface Args {
  changes: Array<{ summary: string; predictable?: boolean; reason?: string }>;
}

function probeModule(applied: string[]) {
  return defineModule<Args>({
    name: 'probe',
    validate: (args) => args,
    async plan(_ctx, args) {
      const changes: Change[] = args.changes.map((c) => ({ ...c, apply: async () => void applied.push(c.summary) }));
      return { changes };
    },
  });
}

const run = (args: Args, check: boolean, applied: string[]) => executeTask(moduleContext(new LocalConnection()), probeModule(applied), args, { task: 't', check });

test('check mode: the reasons of the unpredictable changes make the message, once each, in order', async () => {
  const applied: string[] = [];
  const args: Args = {
    changes: [
      { summary: 'apply 2 objects', predictable: false, reason: 'the cluster does not answer: connection refused' },
      { summary: 'prune 1 object' },
      { summary: 'wait', predictable: false, reason: 'kind ClusterIssuer is not served yet' },
      { summary: 'again', predictable: false, reason: 'the cluster does not answer: connection refused' },
    ],
  };
  const result = await run(args, true, applied);
  assert.equal([result.status, result.changed, result.msg], ['skipped', false, 'cannot predict: the cluster does not answer: connection refused; kind ClusterIssuer is not served yet']);
  assert.equal(result.changes, ['apply 2 objects', 'prune 1 object', 'wait', 'again']);
  assert.equal(applied, [], 'check mode applies nothing');
});

test('check mode without a reason keeps the general words; predictable changes are reported as changed', async () => {
  const applied: string[] = [];
  const bare = await run({ changes: [{ summary: 'run /bin/true', predictable: false }] }, true, applied);
  assert.equal([bare.status, bare.msg], ['skipped', 'cannot predict the outcome in check mode']);
  const known = await run({ changes: [{ summary: 'create /x', reason: 'ignored: the change is predictable' }] }, true, applied);
  assert.equal([known.status, known.msg], ['changed', undefined]);
  assert.equal(applied, []);
});

test('a real run applies an unpredictable change as any other', async () => {
  const applied: string[] = [];
  const result = await run({ changes: [{ summary: 'apply', predictable: false, reason: 'the cluster does not answer' }] }, false, applied);
  assert.equal([result.status, result.changed, result.msg], ['changed', true, undefined]);
  assert.equal(applied, ['apply']);
});

test.run();
