import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ModuleArgsError } from '../../lib/errors.ts';
import { compilePythonRegex, expandTemplate, parseTemplate } from '../../lib/modules/support/python-regex.ts';

const refused = (fn: () => unknown, pattern: RegExp) => {
  try {
    fn();
  } catch (error) {
    assert.instance(error, ModuleArgsError);
    assert.is((error as ModuleArgsError).where?.field, 'f');
    assert.match((error as Error).message, pattern);
    return;
  }
  assert.unreachable('accepted');
};

test('Python named groups and named backreferences are translated', () => {
  const r = compilePythonRegex('^(?P<word>\\w+) (?P=word)$', 'f');
  assert.ok(r.regex.test('hey hey'));
  assert.not.ok(r.regex.test('hey you'));
  assert.equal([r.groupCount, r.groupNames], [1, ['word']]);
});

test('\\A and \\Z anchor the whole text, even with (?m)', () => {
  const r = compilePythonRegex('(?m)\\Afirst$', 'f');
  assert.ok(r.multiline);
  assert.ok(r.regex.test('first\nsecond'));
  assert.not.ok(r.regex.test('zero\nfirst'));
  assert.ok(compilePythonRegex('end\\Z', 'f').regex.test('the end'));
  assert.not.ok(compilePythonRegex('end\\Z', 'f').regex.test('the end\n'));
});

test('leading flags (?i)(?s) become JavaScript flags; [\\A] in a class is left alone', () => {
  assert.ok(compilePythonRegex('(?i)^listen', 'f').regex.test('LISTEN 80'));
  assert.ok(compilePythonRegex('(?s)a.b', 'f').regex.test('a\nb'));
  assert.ok(compilePythonRegex('[]a]', 'f').regex.test(']'));
  assert.ok(compilePythonRegex('[^]a]', 'f').regex.test('b'));
});

test('what would silently mean something else is refused, naming the field', () => {
  refused(() => compilePythonRegex('(?x) a b', 'f'), /\(\?x\) has no JavaScript equivalent/);
  refused(() => compilePythonRegex('a(?i:b)', 'f'), /only supported at the start/);
  refused(() => compilePythonRegex('a(?i)b', 'f'), /only supported at the start/);
  refused(() => compilePythonRegex('a[', 'f'), /not a valid regular expression "a\["/);
});

test('replacement templates: \\1, \\g<n>, \\g<name>, escapes; unmatched groups are empty', () => {
  const r = compilePythonRegex('^(?P<k>\\w+)=(\\w+)?(x)?', 'f');
  const match = r.regex.exec('key=value') as RegExpExecArray;
  assert.is(expandTemplate(parseTemplate('\\g<k>:\\2\\t[\\3]\\\\ \\. \\g<1>', r, 'f'), match), 'key:value\t[]\\ \\. key');
  refused(() => parseTemplate('\\4', r, 'f'), /invalid group reference "4"/);
  refused(() => parseTemplate('\\g<nope>', r, 'f'), /invalid group reference "nope"/);
  refused(() => parseTemplate('\\q', r, 'f'), /bad escape \\q/);
  refused(() => parseTemplate('x\\', r, 'f'), /lone backslash/);
});

test.run();
