import { describe, expect, it } from 'vitest';
import { parsePartialJson } from '../../src/index.js';

describe('parsePartialJson', () => {
  it.each([
    ['{"title":"Q3 ris', { title: 'Q3 ris' }],
    ['{"a":1,"b":tr', { a: 1 }],
    ['{"a":[1,2', { a: [1, 2] }],
    ['{"a":1,"b":{"c', { a: 1, b: {} }],
    ['{"a":"x\\', { a: 'x' }],
    ['[{"k":"v"},{"k"', [{ k: 'v' }, {}]],
    ['{"done":true}', { done: true }],
    ['{"u":"caf\\u00e9","v":"\\u00', { u: 'café', v: '' }],
  ])('reads %s', (text, value) => {
    expect(parsePartialJson(text)).toEqual({ value });
  });

  it('gives nothing before a value has begun', () => {
    expect(parsePartialJson('')).toBeUndefined();
    expect(parsePartialJson('  ')).toBeUndefined();
  });
});
