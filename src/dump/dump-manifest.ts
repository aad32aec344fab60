/**
 * kreg-dump.json: what a dump holds and what it left out, written next to the objects.
 *
 * The file is a valid, empty Kubernetes `List` (apiVersion v1, kind List, items []) with the dump's
 * facts beside them, because `kubectl apply -R -f DIR` reads every .json file under DIR: an empty
 * List applies nothing, and `kreg diff --to dir:DIR` reads it as no objects. No I/O.
 */

/** Why a key was not written. */
export type SkipReason = 'encrypted' | 'undecodable' | 'not an API object' | 'owned by a controller' | 'event' | 'secret data masked';

export interface SkippedKey {
  key: string;
  reason: SkipReason;
  /** The detail: the decode error, the owner, ... */
  detail?: string;
}

export interface DumpManifest {
  apiVersion: 'v1';
  kind: 'List';
  items: [];
  kregDump: {
    /** The source, as kreg names it ("snapshot examples/demo-cluster.db"). */
    source: string;
    revision: number;
    /** What was asked for: resources (all when empty), namespace (all when absent), label selector. */
    selection: { resources: string[]; namespace?: string; selector?: string };
    forApply: boolean;
    secretsMasked: boolean;
    /** How the tree is laid out (see kreg dump --help). */
    layout: string;
    /** Objects written per resource ("deployments.apps", "pods"). */
    counts: Record<string, number>;
    written: number;
    /** Keys read and not written, per reason. */
    skippedCounts: Partial<Record<SkipReason, number>>;
    skipped: SkippedKey[];
  };
}

/** Counts a dump as it goes: one call per object written or key skipped. */
export class DumpTally {
  readonly counts: Record<string, number> = {};
  readonly skipped: SkippedKey[] = [];
  written = 0;

  wrote(resource: string): void {
    this.counts[resource] = (this.counts[resource] ?? 0) + 1;
    this.written++;
  }

  skip(key: string, reason: SkipReason, detail?: string): void {
    this.skipped.push(detail === undefined ? { key, reason } : { key, reason, detail });
  }

  skippedCounts(): Partial<Record<SkipReason, number>> {
    const out: Partial<Record<SkipReason, number>> = {};
    for (const s of this.skipped) out[s.reason] = (out[s.reason] ?? 0) + 1;
    return out;
  }

  manifest(facts: Pick<DumpManifest['kregDump'], 'source' | 'revision' | 'selection' | 'forApply' | 'secretsMasked' | 'layout'>): DumpManifest {
    const counts: Record<string, number> = {};
    for (const key of Object.keys(this.counts).sort()) counts[key] = this.counts[key] as number;
    return { apiVersion: 'v1', kind: 'List', items: [], kregDump: { ...facts, counts, written: this.written, skippedCounts: this.skippedCounts(), skipped: this.skipped } };
  }
}
