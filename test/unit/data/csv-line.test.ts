import assert from 'node:assert/strict';
import { test } from 'node:test';
import { quoteField, splitDelimited } from '../../../offline/data/csv-line.js';

void test('splits plain fields', () => {
  assert.deepEqual(splitDelimited('1,2,3.5,964982703'), ['1', '2', '3.5', '964982703']);
  assert.deepEqual(splitDelimited('a,,b,'), ['a', '', 'b', '']);
});

void test('keeps commas inside quotes and unescapes doubled quotes', () => {
  assert.deepEqual(splitDelimited('11,"American President, The (1995)",Comedy|Drama|Romance'), [
    '11',
    'American President, The (1995)',
    'Comedy|Drama|Romance',
  ]);
  assert.deepEqual(splitDelimited('7,"""Great"" Escape, The (1963)",War'), ['7', '"Great" Escape, The (1963)', 'War']);
  assert.deepEqual(splitDelimited('"a","b"'), ['a', 'b']);
  assert.deepEqual(splitDelimited('x,"unterminated'), ['x', 'unterminated']);
});

void test('supports other and multi-character delimiters', () => {
  assert.deepEqual(splitDelimited('u1\t"i\t1"\t3', '\t'), ['u1', 'i\t1', '3']);
  assert.deepEqual(splitDelimited('1::"a::b"::3', '::'), ['1', 'a::b', '3']);
});

void test('quoteField round-trips through splitDelimited', () => {
  for (const field of ['plain', 'Harbor, The (1987)', '"Golden" Canyon (1934)', '']) {
    assert.deepEqual(splitDelimited(`1,${quoteField(field)},x`), ['1', field, 'x']);
  }
  assert.equal(quoteField('plain'), 'plain');
});
