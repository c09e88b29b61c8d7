import { describe, expect, it } from 'vitest';
import { PriorityQueue } from '../../src/util/index.js';

describe('PriorityQueue', () => {
  it('pops items in comparator order, whatever the push order', () => {
    const queue = new PriorityQueue<number>((a, b) => a - b, [5, 3, 9, 1, 7, 3, 8]);
    const popped: number[] = [];
    for (let item = queue.pop(); item !== undefined; item = queue.pop()) popped.push(item);
    expect(popped).toEqual([1, 3, 3, 5, 7, 8, 9]);
    expect(queue.size).toBe(0);
    expect(queue.peek()).toBeUndefined();
  });

  it('stays ordered under interleaved pushes and pops (checked against a sorted array)', () => {
    let seed = 7;
    const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648;
    const queue = new PriorityQueue<number>((a, b) => a - b);
    const reference: number[] = [];
    for (let step = 0; step < 2_000; step++) {
      if (random() < 0.6) {
        const value = Math.floor(random() * 100);
        queue.push(value);
        reference.push(value);
        reference.sort((a, b) => a - b);
      } else {
        expect(queue.pop()).toBe(reference.shift());
      }
      expect(queue.size).toBe(reference.length);
    }
  });
});
