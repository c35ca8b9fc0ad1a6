import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { defineRole, definePlay, type Role } from '../../lib/role.ts';
import { runPlay } from '../../lib/runner/run-play.ts';
import { isSelectedByTags } from '../../lib/runner/tags.ts';
import { CountingPool, RecordingReporter, localInventory, runCommand, runOptions } from './runner-support.ts';

test('tag selection follows Ansible: --tags, --skip-tags, always, never', () => {
  const cases: Array<[string[], { tags?: string[]; skipTags?: string[] }, boolean]> = [
    [[], {}, true],
    [['config'], {}, true],
    [['never'], {}, false],
    [['never', 'debug'], {}, false],
    [['never', 'debug'], { tags: ['debug'] }, true],
    [['config'], { tags: ['config'] }, true],
    [['install'], { tags: ['config'] }, false],
    [[], { tags: ['config'] }, false],
    [['always'], { tags: ['config'] }, true],
    [['always'], { skipTags: ['always'] }, false],
    [['config'], { tags: ['config'], skipTags: ['config'] }, false],
    [['config', 'slow'], { tags: ['config'], skipTags: ['slow'] }, false],
    [['install'], { skipTags: ['config'] }, true],
    [['never', 'debug'], { tags: ['all'] }, false],
    [['x'], { tags: ['tagged'] }, true],
    [[], { tags: ['untagged'] }, true],
    [['x'], { tags: ['untagged'] }, false],
    [['x'], { skipTags: ['all'] }, false],
    [['always'], { skipTags: ['all'] }, true],
  ];
  for (const [taskTags, selection, expected] of cases) {
    assert.is(isSelectedByTags(taskTags, selection), expected, `${JSON.stringify(taskTags)} with ${JSON.stringify(selection)}`);
  }
});

function taggedRole(): Role {
  return defineRole({
    name: 'web',
    hosts: 'all',
    tags: ['web'],
    defaults: {},
    async run(t) {
      const install = await t.run('install', runCommand, { cmd: 'true' }, { tags: ['install'] });
      // What a role sees for a task not selected by tags:
      if (install.status === 'skipped') await t.run(`install said ${install.msg}`, runCommand, { cmd: 'true' }, { tags: ['always'] });
      await t.run('config', runCommand, { cmd: 'true' }, { tags: ['config'] });
      await t.run('debug', runCommand, { cmd: 'true' }, { tags: ['never', 'debug'] });
    },
  }) as Role;
}

async function ran(tags: { tags?: string[]; skipTags?: string[] }): Promise<{ tasks: string[]; skipped: number; ok: number }> {
  const reporter = new RecordingReporter();
  const summary = await runPlay(definePlay({ name: 'p', roles: [taggedRole()] }), runOptions(localInventory({ h1: {} }), new CountingPool(), tags), reporter);
  return { tasks: reporter.of('task-end').map((e) => e.task), skipped: summary.stats['h1']?.skipped ?? -1, ok: summary.stats['h1']?.ok ?? -1 };
}

test('no tags: every task but the never-tagged one', async () => {
  assert.equal((await ran({})).tasks, ['install', 'config']);
});

test('--tags config: only config and always tasks; unselected tasks return skipped to the role, uncounted', async () => {
  const result = await ran({ tags: ['config'] });
  assert.equal(result.tasks, ['install said not selected by tags', 'config']);
  assert.is(result.skipped, 0);
  assert.is(result.ok, 2);
});

test('role tags apply to every task of the role (so --tags web also runs its never-tagged task, as Ansible does)', async () => {
  assert.equal((await ran({ tags: ['web'] })).tasks, ['install', 'config', 'debug']);
  assert.equal((await ran({ skipTags: ['web'] })).tasks, []);
});

test('--skip-tags wins over --tags; never runs only when asked by name', async () => {
  assert.equal((await ran({ tags: ['config', 'install'], skipTags: ['install'] })).tasks, ['install said not selected by tags', 'config']);
  assert.equal((await ran({ tags: ['debug'] })).tasks, ['install said not selected by tags', 'debug']);
});

test.run();
