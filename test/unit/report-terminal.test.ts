import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { palette, stripAnsi, terminalMode } from '../../lib/report/terminal.ts';

const tty = { isTTY: true, columns: 120, write: () => true };
const pipe = { write: () => true };

test('a terminal gets colour and live progress', () => {
  assert.equal(terminalMode(tty, { TERM: 'xterm-256color' }), { color: true, live: true, columns: 120 });
});

test('a pipe or file gets plain lines', () => {
  assert.equal(terminalMode(pipe, { TERM: 'xterm' }), { color: false, live: false, columns: 80 });
});

test('NO_COLOR (any non-empty value) and TERM=dumb turn a terminal plain', () => {
  assert.is(terminalMode(tty, { NO_COLOR: '1' }).color, false);
  assert.is(terminalMode(tty, { NO_COLOR: '1' }).live, false);
  assert.is(terminalMode(tty, { TERM: 'dumb' }).live, false);
  assert.is(terminalMode(tty, { NO_COLOR: '' }).color, true, 'an empty NO_COLOR does not count');
});

test('the palette is the identity without colour', () => {
  assert.is(palette(false).red('x'), 'x');
  assert.is(palette(true).red('x'), '\x1b[31mx\x1b[39m');
  assert.is(stripAnsi(palette(true).bold('y')), 'y');
});

test.run();
