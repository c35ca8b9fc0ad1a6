import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { formatDuration, formatSeconds, truncateBytes } from '../../lib/report/format.ts';
import { formatRecap } from '../../lib/report/recap.ts';
import { palette, stripAnsi } from '../../lib/report/terminal.ts';
import type { HostStats } from '../../lib/runner/events.ts';

const s = (x: Partial<HostStats>): HostStats => ({ ok: 0, changed: 0, unreachable: 0, failed: 0, skipped: 0, elapsedMs: 0, ...x });

const stats = {
  'k3s-server-3.example.internal': s({ ok: 112, changed: 3, elapsedMs: 61_000 }),
  b: s({ ok: 5, failed: 1, skipped: 12, elapsedMs: 400 }),
  'a-very-long': s({ unreachable: 1 }),
};

test('recap columns line up whatever the host names and counts', () => {
  const lines = formatRecap(stats, ['b', 'k3s-server-3.example.internal'], palette(false));
  assert.equal(lines, [
    'b                             : ok=5   changed=0 unreachable=0 failed=1 skipped=12  (0.4s)',
    'k3s-server-3.example.internal : ok=112 changed=3 unreachable=0 failed=0 skipped=0   (1m01.0s)',
    'a-very-long                   : ok=0   changed=0 unreachable=1 failed=0 skipped=0   (0.0s)',
  ]);
});

test('coloured recap aligns the same once the colours are stripped', () => {
  const plain = formatRecap(stats, [], palette(false));
  const coloured = formatRecap(stats, [], palette(true));
  assert.ok(coloured.some((l) => l.includes('\x1b[')));
  assert.equal(coloured.map(stripAnsi), plain);
  assert.ok(
    coloured.some((l) => l.startsWith('\x1b[31mb\x1b[39m')),
    'a failed host is red',
  );
  assert.ok(
    coloured.some((l) => l.startsWith('\x1b[33mk3s-server-3')),
    'a changed host is yellow',
  );
});

test('durations read naturally', () => {
  assert.is(formatDuration(12), '12ms');
  assert.is(formatDuration(1234), '1.2s');
  assert.is(formatDuration(125_000), '2m05.0s');
  assert.is(formatSeconds(12_345), '12.3s');
  assert.is(formatSeconds(40), '0.0s');
});

test('truncateBytes cuts at a byte budget without splitting a character', () => {
  assert.is(truncateBytes('short', 10), 'short');
  assert.is(truncateBytes('abcdefghij', 4), 'abcd…(6 more bytes)');
  // "é" is 2 bytes: 3 of them is 6 bytes; a budget of 3 keeps one whole é.
  assert.is(truncateBytes('ééé', 3), 'é…(4 more bytes)');
});

test.run();
