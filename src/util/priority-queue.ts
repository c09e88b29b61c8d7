/**
 * A binary min-heap ordered by a comparator. The workflow scheduler keeps its
 * ready tasks here so that pushing and taking the next task cost O(log n),
 * which keeps a 10,000-task DAG fast where a sorted array would be O(n²).
 */

/** Negative when `a` comes before `b`, positive when after, 0 when equal. */
export type Comparator<T> = (a: T, b: T) => number;

/**
 * A priority queue: `pop` returns the item the comparator ranks first.
 * Items that compare equal come out in no particular order, so give the
 * comparator a final tie-breaker (such as declaration order) when order matters.
 *
 * @example
 * ```ts
 * const queue = new PriorityQueue<number>((a, b) => a - b);
 * queue.push(3);
 * queue.push(1);
 * queue.push(2);
 * queue.pop(); // 1
 * queue.peek(); // 2
 * ```
 */
export class PriorityQueue<T> {
  readonly #heap: T[] = [];
  readonly #compare: Comparator<T>;

  constructor(compare: Comparator<T>, items: Iterable<T> = []) {
    this.#compare = compare;
    for (const item of items) this.push(item);
  }

  /** How many items are queued. */
  get size(): number {
    return this.#heap.length;
  }

  /** Adds an item in O(log n). */
  push(item: T): void {
    const heap = this.#heap;
    heap.push(item);
    let child = heap.length - 1;
    // Sift up: swap with the parent while the item ranks before it.
    while (child > 0) {
      const parent = (child - 1) >> 1;
      const parentItem = heap[parent];
      if (parentItem === undefined || this.#compare(item, parentItem) >= 0) break;
      heap[child] = parentItem;
      child = parent;
    }
    heap[child] = item;
  }

  /** The first-ranked item without removing it, or undefined when empty. */
  peek(): T | undefined {
    return this.#heap[0];
  }

  /** Removes and returns the first-ranked item in O(log n), or undefined when empty. */
  pop(): T | undefined {
    const heap = this.#heap;
    const top = heap[0];
    const last = heap.pop();
    if (top === undefined || last === undefined || heap.length === 0) return top;
    // Sift the former last item down from the root.
    const length = heap.length;
    let index = 0;
    for (;;) {
      const left = 2 * index + 1;
      if (left >= length) break;
      const right = left + 1;
      const leftItem = heap[left];
      const rightItem = heap[right];
      if (leftItem === undefined) break;
      let best = left;
      let bestItem = leftItem;
      if (rightItem !== undefined && right < length && this.#compare(rightItem, leftItem) < 0) {
        best = right;
        bestItem = rightItem;
      }
      if (this.#compare(bestItem, last) >= 0) break;
      heap[index] = bestItem;
      index = best;
    }
    heap[index] = last;
    return top;
  }

  /** Empties the queue. */
  clear(): void {
    this.#heap.length = 0;
  }
}
