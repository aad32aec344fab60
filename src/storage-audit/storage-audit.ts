/**
 * `kreg audit storage` without the I/O: fed every entry twice (pass 1 indexes namespaces and
 * uids, pass 2 checks each entry against that index), then the retained revisions when the
 * source lists them, it reports what should not be stored as it is. Holds the index and the
 * findings (at most MAX_LISTED_PER_CHECK of each check; all are counted), never the values.
 */
import { measureStoredParts } from '../codec/stored-parts.js';
import type { Entry, StoredRevision } from '../sources/source.js';
import { auditedEntry, readObject, type AuditContext } from './audited-entry.js';
import { ChurnTally, type ChurnedKey } from './churn.js';
import { checkCustomResourceVersion, checkMissingDefinition, checkStoredVersions } from './custom-resources.js';
import { checkEventLease } from './events.js';
import { checkLease } from './leases.js';
import { sortFindings, STORAGE_CHECKS, type StorageCheck, type StorageFinding } from './findings.js';
import { checkNamespace } from './namespaces.js';
import { checkOwners } from './owners.js';
import { checkManagedFields, checkRequestLimit, DEFAULT_MAX_REQUEST_BYTES } from './sizes.js';
import { StorageIndex } from './storage-index.js';
import { checkBuiltinVersion } from './storage-versions.js';
import { checkUnmapped } from './unmapped.js';

/** Findings of one check kept to list: a cluster with a million stray Events must not fill memory with them. */
export const MAX_LISTED_PER_CHECK = 10_000;

export interface StorageAuditOptions extends AuditContext {
  /** etcd's --max-request-bytes; DEFAULT_MAX_REQUEST_BYTES when absent. */
  maxRequestBytes?: number;
  /** Names (<plural>.<group>) of CRDs that are stored but could not be learned: their objects are not orphans. */
  unusableDefinitions?: ReadonlySet<string>;
  /** How many of the most-revised keys to report (default 10). */
  churnTop?: number;
}

export interface StorageAuditReport {
  /** Sorted by check (in STORAGE_CHECKS order), then key; at most MAX_LISTED_PER_CHECK of each check. */
  findings: StorageFinding[];
  /** Findings per check, all of them counted (also those beyond the listed ones); every check listed (0 when clean). */
  counts: Record<StorageCheck, number>;
  /** The most-revised keys, when the source lists retained revisions. */
  churn: { available: true; keys: ChurnedKey[] } | { available: false; reason: string };
  /** What could not be checked, one sentence each. */
  notes: string[];
  /** Keys checked in pass 2. */
  keys: number;
}

export class StorageAudit {
  private readonly index = new StorageIndex();
  private readonly findings: StorageFinding[] = [];
  private readonly counts = Object.fromEntries(STORAGE_CHECKS.map((check) => [check, 0])) as Record<StorageCheck, number>;
  private readonly churn = new ChurnTally();
  private churnRead = false;
  /** Leases attached to the keys checked (pass 2). */
  private readonly usedLeases = new Set<string>();
  private readonly extraNotes: string[] = [];
  private keys = 0;
  private uncheckedOwners = 0;
  /** Values whose metadata could not be read, by kind of reason: a count and the first one met. */
  private readonly unreadable = new Map<string, { count: number; example: string; detail: string }>();

  constructor(private readonly options: StorageAuditOptions) {}

  /** Pass 1: learn the entry's namespace and uid. */
  indexEntry(entry: Entry): void {
    const audited = auditedEntry(entry, this.options);
    this.index.add(audited, () => readObject(audited, this.options));
  }

  /** Pass 2: check the entry against what pass 1 learned. */
  checkEntry(entry: Entry): void {
    this.keys++;
    if (entry.lease !== '0') this.usedLeases.add(entry.lease);
    const audited = auditedEntry(entry, this.options);
    const add = (finding: StorageFinding | undefined): void => {
      if (finding !== undefined) this.record(finding);
    };
    add(checkRequestLimit(entry, this.options.maxRequestBytes ?? DEFAULT_MAX_REQUEST_BYTES));
    const { parsed } = audited;
    if (audited.parseError !== undefined) {
      const missing = checkMissingDefinition(entry.key, this.options.prefix);
      // The CRD is stored but could not be learned (said when the store opened): not an orphan.
      if (missing !== undefined && this.options.unusableDefinitions?.has(missing.crd) === true) return;
      add(missing?.finding ?? checkUnmapped(audited));
      return;
    }
    if (parsed?.type !== 'object') {
      add(checkUnmapped(audited));
      return;
    }
    add(checkNamespace(parsed, this.index));
    add(checkEventLease(parsed, entry));
    const object = readObject(audited, this.options);
    if (object.metadata === undefined) {
      this.noteUnreadable(object.unreadable ?? { why: 'undecodable', detail: 'unreadable' }, entry.key);
      return;
    }
    add(parsed.origin === 'custom' ? checkCustomResourceVersion(parsed, object.metadata) : checkBuiltinVersion(parsed, object.metadata));
    const owners = checkOwners(parsed, object.metadata.ownerReferences, this.index);
    for (const finding of owners.findings) add(finding);
    this.uncheckedOwners += owners.unchecked;
    if (object.plaintext !== undefined) add(checkManagedFields(entry, measureStoredParts(this.options.schema, object.plaintext)));
  }

  /** Something that could not be checked, for the report's notes. */
  note(sentence: string): void {
    this.extraNotes.push(sentence);
  }

  /** One lease granted in etcd now (its decimal ID); call after pass 2. */
  addLease(id: string): void {
    const finding = checkLease(id, this.usedLeases, this.options.prefix);
    if (finding !== undefined) this.record(finding);
  }

  /** One retained revision (any order), from a source that lists them. */
  addRevision(revision: StoredRevision): void {
    this.churnRead = true;
    this.churn.add(revision);
  }

  /** The report; `churnUnavailable` says why retained revisions were not read, when they were not. */
  report(churnUnavailable?: string): StorageAuditReport {
    const counts = { ...this.counts };
    const definitions = checkStoredVersions(this.options.registry, this.options.prefix);
    for (const finding of definitions) counts[finding.check]++;
    const findings = sortFindings([...this.findings, ...definitions]);
    const notes = [...this.unreadable.values()].map(({ count, example, detail }) => `${count} value(s) not checked beyond their keys and sizes, e.g. ${example}: ${detail}`);
    for (const check of STORAGE_CHECKS) {
      if (counts[check] > MAX_LISTED_PER_CHECK)
        notes.push(`${check}: ${counts[check] - MAX_LISTED_PER_CHECK} more finding(s) counted but not listed (the first ${MAX_LISTED_PER_CHECK} in key order are)`);
    }
    if (this.uncheckedOwners > 0) notes.push(`${this.uncheckedOwners} ownerReference(s) not checked: some objects of the owner's kind could not be read`);
    const churn: StorageAuditReport['churn'] =
      churnUnavailable === undefined || this.churnRead ? { available: true, keys: this.churn.top(this.options.churnTop ?? 10) } : { available: false, reason: churnUnavailable };
    return { findings, counts, churn, notes: [...notes, ...this.extraNotes], keys: this.keys };
  }

  private record(finding: StorageFinding): void {
    // Keys arrive in key order (within a pass), so the ones kept are the first in key order.
    if (++this.counts[finding.check] <= MAX_LISTED_PER_CHECK) this.findings.push(finding);
  }

  private noteUnreadable(unreadable: { why: string; detail: string }, key: string): void {
    const seen = this.unreadable.get(unreadable.why);
    if (seen === undefined) this.unreadable.set(unreadable.why, { count: 1, example: key, detail: unreadable.detail });
    else seen.count++;
  }
}
