import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { formatTable, scenarioNumbers, speedupLines, startupLines, targetLines } from '../../bench/lib/report.ts';
import { median, spread, summarizePairs } from '../../bench/lib/stats.ts';

test('median of odd and even counts; spread keeps min and max', () => {
  assert.is(median([3, 1, 2]), 2);
  assert.is(median([4, 1, 3, 2]), 2.5);
  assert.ok(Number.isNaN(median([])));
  assert.equal(spread([5, 1, 9]), { median: 5, min: 1, max: 9, n: 3 });
});

test('ratios are taken within each pair, not between the medians', () => {
  // The machine got slower in pair 3: both tools slowed, the pair's ratio did not.
  const summary = summarizePairs([
    { ployMs: 100, ansibleMs: 1000 },
    { ployMs: 110, ansibleMs: 1000 },
    { ployMs: 300, ansibleMs: 3000 },
  ]);
  assert.is(summary.ploy.median, 110);
  assert.is(summary.ansible.median, 1000);
  assert.is(summary.ratio.median, 0.1);
  assert.is(summary.speedup.median, 10);
  assert.is(summary.speedup.min, 1000 / 110);
});

const numbers = (name: 'converge' | 'no-change' | 'check', ploy: number[], ansible: number[], floor: number[], rssKb: number) =>
  scenarioNumbers({ name, pairs: ploy.map((p, i) => ({ ployMs: p, ansibleMs: ansible[i] as number })), floorMs: floor, ployRssKb: [rssKb, rssKb - 1000], warnings: [] });

test('the table has a row per scenario and the speedup lines end the report', () => {
  const scenarios = [numbers('converge', [2000, 2100, 1900], [20_000, 21_000, 19_500], [], 90_000), numbers('no-change', [500, 520, 480], [8000, 8100, 7900], [250, 240, 260], 80_000)];
  const table = formatTable(3, scenarios).split('\n');
  assert.is(table.length, 4);
  assert.is(table[0], '| scenario | hosts | ploy s | Ansible s | ploy/Ansible | speedup | floor s | ploy/floor | ploy peak RSS |');
  assert.is(table[2], '| converge | 3 | 2.00 (1.90–2.10) | 20.0 (19.5–21.0) | 0.100 (0.097–0.100) | 10.0x | — | — | 88 MB |');
  assert.is(table[3], '| no-change | 3 | 0.50 (0.48–0.52) | 8.00 (7.90–8.10) | 0.063 (0.061–0.064) | 16.0x | 0.25 | 2.00x | 78 MB |');
  assert.equal(speedupLines(3, scenarios), ['speedup converge 3 hosts: 10.0x', 'speedup no-change 3 hosts: 16.0x']);
});

test('the startup line says how much of the run is starting ploy', () => {
  const noChange = scenarioNumbers({ name: 'no-change', pairs: [{ ployMs: 1000, ansibleMs: 9000 }], floorMs: [], startupMs: [600, 640, 580], ployRssKb: [1], warnings: [] });
  assert.equal(startupLines([noChange, numbers('check', [900], [9000], [], 1)]), [
    "ploy startup (the play with --help: node, loader and modules, no host contacted): 0.60 s, 60% of the no-change run's 1.00 s",
  ]);
});

test('targets: the no-change speedup at 1 and 30 hosts, the floor at 30, check against no-change, memory', () => {
  const one = targetLines(1, [numbers('no-change', [500], [4000], [100], 300_000), numbers('check', [520], [4000], [100], 1000)]);
  assert.equal(one, [
    'target no-change >= 10x faster than Ansible at 1 hosts: 8.0x, MISSED',
    'target check <= no-change: 0.52 s vs 0.50 s, met (5% noise allowed)',
    'target peak memory < 200 MB: 293 MB, MISSED',
  ]);
  const thirty = targetLines(30, [numbers('no-change', [1000], [30_000], [400], 100_000)]);
  assert.equal(thirty, [
    'target no-change >= 25x faster than Ansible at 30 hosts: 30.0x, met',
    'target no-change within 2x of the floor at 30 hosts: 2.50x, MISSED',
    'target peak memory < 200 MB: 98 MB, met',
  ]);
});

test.run();
