/**
 * What fills etcd, counted per group (resource, namespace, kind or owner): objects, stored bytes,
 * and how much of those bytes is managedFields, status and the rest, plus the largest objects.
 * Pure: fed one entry at a time, it keeps counters and the top N, so memory does not grow with
 * the data. What `kreg du` prints.
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
}

export interface LargeObject {
  key: string;
  group: string;
  bytes: number;
}

function emptyGroup(group: string): UsageGroup {
  return { group, count: 0, bytes: 0, managedFieldsBytes: 0, statusBytes: 0, otherBytes: 0, unmeasuredBytes: 0 };
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

  constructor(private readonly topCount: number) {}

  add(group: string, key: string, bytes: number, parts: StoredParts | undefined): void {
    let tally = this.groupsByName.get(group);
    if (tally === undefined) {
      tally = emptyGroup(group);
      this.groupsByName.set(group, tally);
    }
    count(tally, bytes, parts);
    count(this.totals, bytes, parts);
    this.keepIfLarge({ key, group, bytes });
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
