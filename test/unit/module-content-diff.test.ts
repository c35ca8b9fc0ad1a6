import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { contentDiff, DIFF_LIMIT_BYTES, looksBinary } from '../../lib/modules/support/content-diff.ts';
import { secret } from '../../lib/secret.ts';

test('a new file diffs against /dev/null', () => {
  const diff = contentDiff('/etc/x.conf', { text: null, size: 0 }, { text: 'a\nb\n', size: 4 }, { secretBearing: false });
  assert.match(diff, '--- /dev/null\tbefore\n+++ /etc/x.conf\tafter\n');
  assert.match(diff, '+a\n+b\n');
});

test('a changed file shows removed and added lines', () => {
  const diff = contentDiff('/etc/x.conf', { text: 'port 80\nname a\n', size: 15 }, { text: 'port 8080\nname a\n', size: 17 }, { secretBearing: false });
  assert.match(diff, '-port 80\n+port 8080\n name a\n');
  assert.ok(diff.startsWith('--- /etc/x.conf\tbefore\n+++ /etc/x.conf\tafter\n@@ '), diff);
});

test('secrets are masked, and a file holding secrets hides its removed lines', () => {
  const token = secret('K10-diff-token-value');
  const after = `token: ${token.reveal()}\nport 1\n`;
  const diff = contentDiff('/etc/k3s.yaml', { text: 'token: OLD-unknown-token\nport 0\n', size: 30 }, { text: after, size: after.length }, { secretBearing: true });
  assert.not.match(diff, 'K10-diff-token-value');
  assert.not.match(diff, 'OLD-unknown-token');
  assert.match(diff, '+token: ***\n');
  assert.match(diff, '+port 1\n');
  assert.match(diff, '-*** (old line hidden: this file holds secrets)\n');
  assert.match(diff, '--- /etc/k3s.yaml\tbefore', 'headers are kept');
});

test('binary or large content is summarised, not diffed', () => {
  assert.ok(looksBinary(Buffer.from([104, 0, 105])));
  assert.ok(looksBinary(Buffer.from([0xff, 0xfe, 0x41])));
  assert.not.ok(looksBinary(Buffer.from('héllo\n')));
  assert.match(contentDiff('/bin/x', { text: 'a\0b', size: 3 }, { text: 'c', size: 1 }, { secretBearing: false }), '/bin/x: binary/large file differs');
  const big = 'x'.repeat(DIFF_LIMIT_BYTES + 1);
  assert.match(contentDiff('/big', { text: null, size: 0 }, { text: big, size: big.length }, { secretBearing: false }), '/big: binary/large file differs (new file');
});

test.run();
