import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { takeAnswer } from '../../bench/lib/shell-session.ts';

const MARKER = '__ploy_end_0123456789abcdef';

test('an answer is taken only once its marker line is complete', () => {
  assert.is(takeAnswer('partial output', MARKER), undefined);
  assert.is(takeAnswer(`out\n${MARKER} 0`, MARKER), undefined);
  assert.equal(takeAnswer(`out\n${MARKER} 0\n`, MARKER), { output: 'out', status: 0, rest: '' });
  assert.equal(takeAnswer(`${MARKER} 3\nnext`, MARKER), { output: '', status: 3, rest: 'next' });
});

test('output that ends in digits or holds the marker text mid-line stays output', () => {
  assert.equal(takeAnswer(`a\n42\n${MARKER} 0\n`, MARKER), { output: 'a\n42', status: 0, rest: '' });
  assert.equal(takeAnswer(`say ${MARKER} 1\n${MARKER} 0\n`, MARKER), { output: `say ${MARKER} 1`, status: 0, rest: '' });
});

test("the framing the session writes, run by a real /bin/sh, gives back each command's output and status", async () => {
  const sh = spawn('/bin/sh', [], { stdio: ['pipe', 'pipe', 'ignore'] });
  let buffer = '';
  const answers: Array<{ output: string; status: number }> = [];
  sh.stdout.on('data', (chunk: Buffer) => {
    buffer += chunk.toString('utf8');
    for (let answer = takeAnswer(buffer, MARKER); answer; answer = takeAnswer(buffer, MARKER)) {
      answers.push({ output: answer.output, status: answer.status });
      buffer = answer.rest;
    }
  });
  for (const command of ['echo one; echo two', 'exit 4', 'cd /; pwd']) sh.stdin.write(`(\n${command}\n) </dev/null; printf '\\n%s %d\\n' ${MARKER} $?\n`);
  sh.stdin.end();
  await new Promise((resolve) => sh.on('close', resolve));
  assert.equal(answers, [
    { output: 'one\ntwo\n', status: 0 },
    { output: '', status: 4 },
    { output: '/\n', status: 0 },
  ]);
});

test.run();
