import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { HumanReporter, type HumanReporterOptions } from '../../lib/report/human.ts';
import { ERASE_LINE } from '../../lib/report/terminal.ts';
import type { RunEvent } from '../../lib/runner/events.ts';
import { FakeStream, scriptedRun } from '../fixtures/report-events.ts';

function render(events: RunEvent[], options: Partial<HumanReporterOptions> = {}, tty = false) {
  const out = new FakeStream(tty);
  const err = new FakeStream(tty);
  const reporter = new HumanReporter({ out, err, env: {}, ...options });
  for (const event of events) reporter.emit(event);
  reporter.close();
  return { out, err };
}

const ESC = '\x1b[';
const tick = () => new Promise((done) => setTimeout(done, 20));

test('plain mode prints exactly these lines, no escape codes', () => {
  const { out, err } = render(scriptedRun(), { diff: true });
  assert.equal(out.lines, [
    '',
    'PLAY [site] ************************************************************',
    '',
    'ROLE [web] *************************************************************',
    'changed: [web1] Install nginx',
    '    ~ install nginx',
    'ok: [web10] Install nginx',
    'changed: [web1] Write config',
    '    ~ update /etc/app.conf',
    '--- /etc/app.conf',
    '+++ /etc/app.conf',
    '@@ -1 +1 @@',
    '-token: old',
    '+token: no-secret-here',
    'failed: [web10] Write config => missing variable app_token (no-secret-here)',
    '    in templates/web/app.conf.hbs',
    'skipped: [web1] Run migration => cannot predict the outcome in check mode',
    'changed: [web1] restart nginx (handler)',
    '    ~ restart nginx',
    '',
    'ROLE [db] batch 1/2 ****************************************************',
    'unreachable: [db1] => connect ECONNREFUSED 10.0.0.3:22',
    '',
    'PLAY RECAP *************************************************************',
    'web1  : ok=0 changed=3 unreachable=0 failed=0 skipped=1  (2.5s)',
    'web10 : ok=1 changed=0 unreachable=0 failed=1 skipped=0  (0.3s)',
    'db1   : ok=0 changed=0 unreachable=1 failed=0 skipped=0  (3.0s)',
    '',
    'Total elapsed: 12.3s',
  ]);
  assert.equal(err.lines, ['[WARNING]: [web1] variable foo is deprecated (no-secret-here)']);
  assert.not.ok(out.text.includes('\x1b') || err.text.includes('\x1b'));
});

test('without --diff the diff is not printed; without -v no commands', () => {
  const { out } = render(scriptedRun());
  assert.not.ok(out.text.includes('+++ /etc/app.conf'));
  assert.not.ok(out.text.includes('apt-get'));
});

test('-v echoes each command with rc and time, and times each task', () => {
  const { out } = render(scriptedRun(), { verbosity: 1 });
  assert.ok(out.lines.includes('  [web1] rc=0 1.2s $ apt-get install -y nginx --token no-secret-here'));
  assert.ok(out.lines.includes('  [web10] rc=1 12ms $ test -e /etc/app.conf'));
  assert.ok(out.lines.includes('changed: [web1] Install nginx (1.5s)'));
  assert.not.ok(out.text.includes('Setting up nginx'), 'stdout only at -vv');
});

test('-vv adds stdout and stderr, indented', () => {
  const { out } = render(scriptedRun(), { verbosity: 2 });
  const at = out.lines.indexOf('  [web1] rc=0 1.2s $ apt-get install -y nginx --token no-secret-here');
  assert.equal(out.lines.slice(at + 1, at + 4), ['    stdout:', '      Setting up nginx', '      token is no-secret-here']);
  assert.ok(out.lines.includes('    stderr:'));
  assert.ok(out.lines.includes('      no such file no-secret-here'));
});

test('-vv truncates long output and says how much was left out', () => {
  const big = 'x'.repeat(5000);
  const { out } = render([{ type: 'command', host: 'h', command: 'cat big', code: 0, stdout: big, stderr: '', elapsedMs: 1 }], { verbosity: 2 });
  const line = out.lines.find((l) => l.includes('more bytes'));
  assert.is(line, `      ${'x'.repeat(2048)}…(${5000 - 2048} more bytes)`);
});

test('a host-failed event repeating the task failure is not printed twice; a new one is', () => {
  const { out } = render(scriptedRun());
  assert.is(out.lines.filter((l) => l.startsWith('failed: [web10]')).length, 1);
  const other = render([{ type: 'host-failed', host: 'web2', role: 'web', message: 'web2 was told to fail' }]).out;
  assert.equal(other.lines, ['failed: [web2] web => web2 was told to fail']);
});

test('an ignored failure says so; a stack shows at -vvv only', () => {
  const failed: RunEvent = {
    type: 'task-end',
    host: 'h',
    role: 'r',
    task: 't',
    module: 'command',
    ignored: true,
    elapsedMs: 1,
    result: { status: 'failed', changed: false, changes: [], msg: 'rc=1', data: {} },
  };
  assert.equal(render([failed]).out.lines, ['failed: [h] t => rc=1', '    ...ignoring']);
  const crash: RunEvent = { type: 'host-failed', host: 'h', role: 'r', task: 't', message: 'TypeError: x is undefined', stack: 'TypeError: x is undefined\n    at run (roles/r.ts:3:1)' };
  assert.not.ok(render([crash]).out.text.includes('roles/r.ts'));
  assert.ok(render([crash], { verbosity: 3 }).out.text.includes('      at run (roles/r.ts:3:1)'));
});

test('a task failing because its host went unreachable prints one unreachable line', () => {
  const failed: RunEvent = {
    type: 'task-end',
    host: 'h',
    role: 'r',
    task: 'Install',
    module: 'apt',
    elapsedMs: 1,
    result: { status: 'failed', changed: false, changes: [], msg: 'h: connection lost', data: {} },
  };
  const { out } = render([failed, { type: 'host-unreachable', host: 'h', message: 'h: connection lost' }]);
  assert.equal(out.lines, ['unreachable: [h] Install => connection lost']);
});

test('a failed task line is not held back once the events stop', async () => {
  const out = new FakeStream();
  const reporter = new HumanReporter({ out, err: new FakeStream(), env: {} });
  reporter.emit({ type: 'task-end', host: 'h', role: 'r', task: 'Install', module: 'apt', elapsedMs: 1, result: { status: 'failed', changed: false, changes: [], msg: 'rc=100', data: {} } });
  await Promise.resolve();
  assert.equal(out.lines, ['failed: [h] Install => rc=100']);
  reporter.close();
});

test('a role left with no hosts says so', () => {
  const { out } = render([{ type: 'role-start', role: 'db', hosts: [] }]);
  assert.equal(out.lines.slice(1), ['ROLE [db] **************************************************************', 'skipping: no hosts left to run on']);
});

test('check mode and interruption are said in the banner and the recap', () => {
  const { out } = render([
    { type: 'play-start', play: 'site', hosts: ['a'], check: true },
    { type: 'play-end', play: 'site', stats: {}, elapsedMs: 10, interrupted: true },
  ]);
  assert.ok(out.lines[1]?.startsWith('PLAY [site] [CHECK MODE] ***'));
  assert.ok(out.lines.includes('Interrupted: the play was stopped before it finished.'));
});

test('on a terminal, statuses are coloured like Ansible and the diff too', () => {
  const { out } = render(scriptedRun(), { diff: true }, true);
  assert.ok(out.text.includes(`${ESC}32mok: [web10]`), 'ok is green');
  assert.ok(out.text.includes(`${ESC}33mchanged: [web1]`), 'changed is yellow');
  assert.ok(out.text.includes(`${ESC}36mskipped: [web1]`), 'skipped is cyan');
  assert.ok(out.text.includes(`${ESC}31mfailed: [web10]`), 'failed is red');
  assert.ok(out.text.includes(`${ESC}31munreachable: [db1]`), 'unreachable is red');
  assert.ok(out.text.includes(`${ESC}32m+token: no-secret-here`), 'added diff lines are green');
  assert.ok(out.text.includes(`${ESC}31m-token: old`), 'removed diff lines are red');
});

test('NO_COLOR and TERM=dumb turn every escape code off, even on a terminal', () => {
  for (const env of [{ NO_COLOR: '1' }, { TERM: 'dumb' }]) {
    const { out, err } = render(scriptedRun(), { diff: true, env }, true);
    assert.not.ok(out.text.includes('\x1b'), JSON.stringify(env));
    assert.not.ok(err.text.includes('\x1b'), JSON.stringify(env));
    assert.is(out.lines.length, render(scriptedRun(), { diff: true }).out.lines.length);
  }
});

test('on a terminal a status line shows the hosts in flight and is erased before normal lines', async () => {
  const out = new FakeStream(true, 200);
  const reporter = new HumanReporter({ out, err: new FakeStream(true), env: {}, statusIntervalMs: 0 });
  reporter.emit({ type: 'play-start', play: 'p', hosts: ['a', 'b'], check: false });
  reporter.emit({ type: 'task-start', host: 'a', role: 'r', task: 'Install nginx', module: 'apt' });
  reporter.emit({ type: 'task-start', host: 'b', role: 'r', task: 'Write config', module: 'copy' });
  await tick();
  const status = out.chunks.at(-1) ?? '';
  assert.match(status, /^\x1b\[2mrunning 2: a Install nginx 0s \| b Write config 0s\x1b\[22m$/);
  assert.not.ok(status.includes('\n'), 'the status line is transient');
  reporter.emit({ type: 'task-end', host: 'a', role: 'r', task: 'Install nginx', module: 'apt', elapsedMs: 5, result: { status: 'ok', changed: false, changes: [], data: {} } });
  const okAt = out.chunks.findIndex((c) => c.includes('ok: [a]'));
  assert.is(out.chunks[okAt - 1], ERASE_LINE, 'erased just before the result line');
  await tick();
  assert.match(out.chunks.at(-1) ?? '', /running 1: b Write config/);
  reporter.close();
  assert.is(out.chunks.at(-1), ERASE_LINE, 'close() leaves no status line behind');
});

test('a status line never wraps: it is cut to the terminal width', async () => {
  const out = new FakeStream(true, 40);
  const reporter = new HumanReporter({ out, err: new FakeStream(true), env: {}, statusIntervalMs: 0 });
  for (const host of ['alpha', 'bravo', 'charlie', 'delta']) reporter.emit({ type: 'task-start', host, role: 'r', task: 'A long task name here', module: 'copy' });
  await tick();
  reporter.close();
  const drawn = out.chunks.filter((c) => c.includes('running')).map((c) => c.replace(/\x1b\[[0-9;]*m/g, ''));
  assert.ok(drawn.length > 0);
  for (const line of drawn) assert.ok([...line].length <= 39, line);
});

test('not on a terminal there is no status line at all', async () => {
  const out = new FakeStream(false);
  const reporter = new HumanReporter({ out, err: new FakeStream(false), env: {}, statusIntervalMs: 0 });
  reporter.emit({ type: 'task-start', host: 'a', role: 'r', task: 'x', module: 'copy' });
  await tick();
  reporter.close();
  assert.is(out.text, '');
});

test.run();
