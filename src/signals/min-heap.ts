/** A binary min-heap keyed by a number. The scheduler's one queue of due times. */
export class MinHeap<T> {
  readonly #items: T[] = [];
  readonly #keyOf: (item: T) => number;

  constructor(keyOf: (item: T) => number) {
    this.#keyOf = keyOf;
  }

  get size(): number {
    return this.#items.length;
  }

  peek(): T | undefined {
    return this.#items[0];
  }

  push(item: T): void {
    const items = this.#items;
    items.push(item);
    let i = items.length - 1;
    const key = this.#keyOf(item);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.#keyOf(items[parent]!) <= key) break;
      items[i] = items[parent]!;
      i = parent;
    }
    items[i] = item;
  }

  pop(): T | undefined {
    const items = this.#items;
    const top = items[0];
    const last = items.pop();
    if (items.length === 0 || last === undefined) return top;
    const key = this.#keyOf(last);
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= items.length) break;
      const right = left + 1;
      const child =
        right < items.length && this.#keyOf(items[right]!) < this.#keyOf(items[left]!)
          ? right
          : left;
      if (this.#keyOf(items[child]!) >= key) break;
      items[i] = items[child]!;
      i = child;
    }
    items[i] = last;
    return top;
  }
}
