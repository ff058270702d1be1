/**
 * Doc number → best score for one query word: open addressing over typed arrays, the docs in first-seen order.
 * Hand-written rather than a Map: a Map boxes each double score and grows by copying, and at 100k plugins a
 * word's few thousand matches made it ~290 KB of young-generation garbage per warm `wharf search`, enough with
 * the rest to cost the command a second scavenge (~5 ms on a 2-core host). Typed arrays live outside the JS heap.
 */
export class DocScores {
  /** The docs, first seen first; `scores` is parallel to it. Valid up to `size`. */
  docs: Int32Array;
  scores: Float64Array;
  size = 0;
  private slots: Int32Array; // index into docs + 1; 0 = empty
  private mask: number;

  constructor(expected = 8) {
    let cap = 16;
    while (cap < 2 * expected) cap *= 2;
    this.slots = new Int32Array(cap);
    this.mask = cap - 1;
    this.docs = new Int32Array(cap >> 1);
    this.scores = new Float64Array(cap >> 1);
  }

  /** The slot where `doc` is, or the empty one where it would go. */
  private slot(doc: number): number {
    let i = Math.imul(doc, 0x9e3779b1) & this.mask;
    for (;;) {
      const e = this.slots[i] as number;
      if (e === 0 || this.docs[e - 1] === doc) return i;
      i = (i + 1) & this.mask;
    }
  }

  has(doc: number): boolean {
    return this.slots[this.slot(doc)] !== 0;
  }

  /** The doc's score, 0 when it has none. */
  get(doc: number): number {
    const e = this.slots[this.slot(doc)] as number;
    return e === 0 ? 0 : (this.scores[e - 1] as number);
  }

  /** The doc's score becomes `s` when that is higher than what it has (a doc first seen has 0). */
  keepMax(doc: number, s: number): void {
    const i = this.slot(doc);
    const e = this.slots[i] as number;
    if (e !== 0) {
      if (s > (this.scores[e - 1] as number)) this.scores[e - 1] = s;
      return;
    }
    if (!(s > 0)) return;
    if (this.size === this.docs.length) {
      this.grow();
      this.keepMax(doc, s);
      return;
    }
    this.docs[this.size] = doc;
    this.scores[this.size] = s;
    this.slots[i] = ++this.size;
  }

  private grow(): void {
    const cap = this.slots.length * 2;
    const docs = new Int32Array(cap >> 1);
    const scores = new Float64Array(cap >> 1);
    docs.set(this.docs);
    scores.set(this.scores);
    this.docs = docs;
    this.scores = scores;
    this.slots = new Int32Array(cap);
    this.mask = cap - 1;
    for (let k = 0; k < this.size; k++) this.slots[this.slot(docs[k] as number)] = k + 1;
  }
}
