import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { terminalBlock, terminalLine } from '../../src/support/terminal-text.ts';
import { ATTACK, ATTACK_SHOWN, RAW_CONTROL } from '../helpers/terminal.ts';

test('a one-line field shows every control: escape sequences, newlines, tabs, C1, bidi', () => {
  assert.equal(terminalLine(ATTACK), ATTACK_SHOWN);
  assert.equal(terminalLine('a\nb\r\tc\u0000\u007f'), 'a\\nb\\r\\tc\\x00\\x7f');
  assert.equal(terminalLine('\u009b31m \u202eevil'), '\\u009b31m \\u202eevil');
  assert.equal(
    terminalLine('plain text, ünïcode and a \\ backslash'),
    'plain text, ünïcode and a \\ backslash',
  );
});

test('a block keeps its lines and tabs, reads CRLF as a newline and shows a lone CR', () => {
  assert.equal(
    terminalBlock(`ok\r\n\tindented\n${ATTACK}\rover`),
    'ok\n\tindented\n\\e]0;PWNED\\a\\e[2J\\e[31mfake: all healthy\\rover',
  );
});

test('escaped text holds no control a terminal acts on, and escaping twice changes nothing', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'binary' }), (text) => {
      const line = terminalLine(text);
      const block = terminalBlock(text);
      assert.equal(RAW_CONTROL.test(line) || line.includes('\n') || line.includes('\t'), false);
      assert.equal(RAW_CONTROL.test(block), false);
      assert.equal(terminalLine(line), line);
      assert.equal(terminalBlock(block), block);
    }),
  );
});
