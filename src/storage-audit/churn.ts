/**
 * The keys with the most retained revisions: what keeps being rewritten, and so what fills the
 * database between compactions. Counted from a source's list of retained revisions.
 */
import type { StoredRevision } from '../sources/source.js';

export interface ChurnedKey {
  key: string;
  revisions: number;
}

export class ChurnTally {
  private readonly counts = new Map<string, number>();

  add(revision: StoredRevision): void {
    this.counts.set(revision.key, (this.counts.get(revision.key) ?? 0) + 1);
  }

  /** The `top` keys with the most revisions (more than one), most first, then by key. */
  top(top: number): ChurnedKey[] {
    return [...this.counts]
      .filter(([, revisions]) => revisions > 1)
      .map(([key, revisions]) => ({ key, revisions }))
      .sort((a, b) => b.revisions - a.revisions || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
      .slice(0, top);
  }
}
