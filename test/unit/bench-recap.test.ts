import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { commandLines } from '../../lib/report/detail-lines.ts';
import { formatRecap } from '../../lib/report/recap.ts';
import { palette } from '../../lib/report/terminal.ts';
import type { HostStats } from '../../lib/runner/events.ts';
import { commandsPerHost, durationMs } from '../../bench/lib/cpu-profile.ts';
import { parseRecap, recapProblems, total } from '../../bench/lib/recap.ts';

const stats = (x: Partial<HostStats>): HostStats => ({ ok: 0, changed: 0, unreachable: 0, failed: 0, skipped: 0, elapsedMs: 0, ...x });

/** As ansible-core 2.14's default callback printed it on the bed. */
const ANSIBLE_OUTPUT = `TASK [tree link] ***************************************************************
ok: [b01]
ok: [b02]

PLAY RECAP *********************************************************************
b01                        : ok=11   changed=0    unreachable=0    failed=0    skipped=0    rescued=0    ignored=0   
b02                        : ok=9    changed=2    unreachable=0    failed=1    skipped=1    rescued=0    ignored=0   
`;

test("Ansible's recap is read host by host", () => {
  assert.equal(parseRecap(ANSIBLE_OUTPUT), {
    b01: { ok: 11, changed: 0, unreachable: 0, failed: 0, skipped: 0 },
    b02: { ok: 9, changed: 2, unreachable: 0, failed: 1, skipped: 1 },
  });
});

test("ploy's recap, as its own reporter formats it, is read the same way", () => {
  const lines = formatRecap({ b01: stats({ ok: 11, changed: 11, elapsedMs: 1200 }), 'web-2.example': stats({ ok: 3, unreachable: 1 }) }, ['b01'], palette(false));
  const recap = parseRecap(['PLAY RECAP', ...lines].join('\n'));
  assert.equal(recap.b01, { ok: 11, changed: 11, unreachable: 0, failed: 0, skipped: 0 });
  assert.equal(recap['web-2.example'], { ok: 3, changed: 0, unreachable: 1, failed: 0, skipped: 0 });
  assert.is(total(recap, 'ok'), 14);
});

test('a run is judged against the scenario: missing hosts, failures and unexpected changes', () => {
  const recap = parseRecap(ANSIBLE_OUTPUT);
  assert.equal(recapProblems(recap, ['b01', 'b02', 'b03'], 'none', 11), ['b02: failed=1 unreachable=0', 'b02: changed=2, expected 0', 'b03: no recap line']);
  assert.equal(recapProblems(recap, ['b01'], 'all', 11), ['b01: changed=0, expected 11']);
  assert.equal(recapProblems(recap, ['b01'], 'none', 11), []);
});

test("remote commands are counted per host from ploy's -v lines", () => {
  const palettePlain = palette(false);
  const line = (host: string, elapsedMs: number) =>
    commandLines({ type: 'command', host, command: 'stat /x\necho second line', code: 0, stdout: '', stderr: '', elapsedMs }, palettePlain, { showOutput: false, limitBytes: 1000 });
  const output = ['TASK [x]', ...line('b01', 12), ...line('b01', 1500), ...line('b02', 3)].join('\n');
  assert.equal(commandsPerHost(output), { b01: { commands: 2, ms: 1512 }, b02: { commands: 1, ms: 3 } });
});

test("ploy's durations are read back in milliseconds", () => {
  assert.is(durationMs('850ms'), 850);
  assert.is(durationMs('12.3s'), 12_300);
  assert.is(durationMs('2m05.0s'), 125_000);
  assert.is(durationMs('soon'), 0);
});

test.run();
