/**
 * What fills etcd, counted per group (resource, namespace, kind or owner): objects, stored bytes,
 * and how much of those bytes is managedFields, status and the rest, plus the largest objects;
 * given the retained revisions too, the bytes and count of every revision (history) and the keys
 * with the most history. Pure: fed one entry at a time, it keeps counters and the top N (and, for
 * history, a count per key, not values). What `kreg du` prints.
 */
import type { StoredParts } from './codec/stored-parts.js';

export const USAGE_GROUPINGS = ['resource', 'namespace', 'kind', 'owner'] as const;
export type UsageGrouping = (typeof USAGE_GROUPINGS)[number];

export interface UsageGroup {
  group: string;
  count: number;
  /** Sum of value sizes: what etcd stores for these keys. */
  bytes: number;
  managedFieldsBytes: number;
  statusBytes: number;
  /** bytes minus managedFields and status. */
  otherBytes: number;
  /** Bytes of values whose parts cannot be measured (CBOR, encrypted, opaque), included in otherBytes. */
  unmeasuredBytes: number;
  /** Sum of value sizes of every retained revision (the live ones included); 0 when history was not read. */
  historyBytes: number;
  /** Retained revisions (writes and deletes); 0 when history was not read. */
  revisions: number;
}

/** A key's retained revisions, for the keys with the most history. */
export interface KeyHistoryUsage {
  key: string;
  group: string;
  /** Sum of the value sizes of its retained revisions. */
  bytes: number;
  revisions: number;
}

export interface LargeObject {
  key: string;
  group: string;
  bytes: number;
}

function emptyGroup(group: string): UsageGroup {
  return { group, count: 0, bytes: 0, managedFieldsBytes: 0, statusBytes: 0, otherBytes: 0, unmeasuredBytes: 0, historyBytes: 0, revisions: 0 };
}

function count(into: UsageGroup, bytes: number, parts: StoredParts | undefined): void {
  into.count++;
  into.bytes += bytes;
  if (parts === undefined) {
    into.otherBytes += bytes;
    into.unmeasuredBytes += bytes;
    return;
  }
  into.managedFieldsBytes += parts.managedFields;
  into.statusBytes += parts.status;
  into.otherBytes += bytes - parts.managedFields - parts.status;
}

export class UsageTally {
  private readonly groupsByName = new Map<string, UsageGroup>();
  private readonly totals = emptyGroup('TOTAL');
  /** The largest objects so far, largest first; at most `top` of them. */
  private readonly top: LargeObject[] = [];
  private readonly historyByKey = new Map<string, KeyHistoryUsage>();

  constructor(private readonly topCount: number) {}

  add(group: string, key: string, bytes: number, parts: StoredParts | undefined): void {
    const tally = this.group(group);
    count(tally, bytes, parts);
    count(this.totals, bytes, parts);
    this.keepIfLarge({ key, group, bytes });
  }

  /** One retained revision of a key (a write of `bytes`, or a delete of 0), in any order. */
  addRevision(group: string, key: string, bytes: number): void {
    for (const tally of [this.group(group), this.totals]) {
      tally.historyBytes += bytes;
      tally.revisions++;
    }
    const usage = this.historyByKey.get(key);
    if (usage === undefined) this.historyByKey.set(key, { key, group, bytes, revisions: 1 });
    else {
      usage.bytes += bytes;
      usage.revisions++;
    }
  }

  /** The `top` keys with the most history bytes, most first (then by key). */
  largestHistory(): KeyHistoryUsage[] {
    if (this.topCount <= 0) return [];
    return [...this.historyByKey.values()].sort((a, b) => b.bytes - a.bytes || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)).slice(0, this.topCount);
  }

  private group(name: string): UsageGroup {
    let tally = this.groupsByName.get(name);
    if (tally === undefined) {
      tally = emptyGroup(name);
      this.groupsByName.set(name, tally);
    }
    return tally;
  }

  private keepIfLarge(object: LargeObject): void {
    if (this.topCount <= 0) return;
    if (this.top.length === this.topCount && (this.top[this.top.length - 1] as LargeObject).bytes >= object.bytes) return;
    let i = this.top.length;
    while (i > 0 && (this.top[i - 1] as LargeObject).bytes < object.bytes) i--;
    this.top.splice(i, 0, object);
    if (this.top.length > this.topCount) this.top.pop();
  }

  /** Groups, largest first (then by name). */
  groups(): UsageGroup[] {
    return [...this.groupsByName.values()].sort((a, b) => b.bytes - a.bytes || (a.group < b.group ? -1 : a.group > b.group ? 1 : 0));
  }

  total(): UsageGroup {
    return { ...this.totals };
  }

  largest(): LargeObject[] {
    return [...this.top];
  }
}
