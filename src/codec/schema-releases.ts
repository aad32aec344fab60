/**
 * Older Kubernetes releases as differences against the newest schema bundle. The newest bundle
 * stays whole (it is what almost every run decodes with and its load time is benchmarked); the
 * release-differences file (proto/, written by scripts/generate-bundle.ts) holds, per message and
 * per group version, only the releases in which it differs from the newest. This module rebuilds
 * one release's bundle from the two, and answers which releases define a field.
 */
import type { BundleField, BundleMessage, SchemaBundle } from './schema.js';

/**
 * A field of an older release's message: a number means "the newest release's field of that
 * number, unchanged"; an object is the field as that release had it.
 */
export type ReleaseField = number | BundleField;

export interface ReleaseMessage extends Omit<BundleMessage, 'fields'> {
  fields: ReleaseField[];
}

/** One variant of a message or group version and the releases that had it; null: absent in them. */
export interface ReleaseVariant<T> {
  /** Releases as a list of ranges, e.g. "1.16-1.21,1.23". */
  in: string;
  is: T | null;
}

export interface ReleaseDifferences {
  header: { description: string; generator: string; regenerate: string; against: string };
  /** Every release kreg knows, oldest first, with the tags its data came from; the last is the newest bundle's. */
  releases: { release: string; sources: string }[];
  /** apiVersion → how older releases differ from the newest (package name, or absent). */
  groupVersions: Record<string, ReleaseVariant<string>[]>;
  /** Message name → how older releases differ from the newest. */
  messages: Record<string, ReleaseVariant<ReleaseMessage>[]>;
}

/** "1.16" → 16; undefined for anything else. */
export function minorOf(release: string): number | undefined {
  const m = /^(?:v)?1\.(\d{1,3})$/.exec(release);
  return m === null ? undefined : Number(m[1]);
}

/** Minor numbers → "1.16-1.21,1.23". */
export function formatReleaseRanges(minors: readonly number[]): string {
  const sorted = [...minors].sort((a, b) => a - b);
  const parts: string[] = [];
  let i = 0;
  while (i < sorted.length) {
    let j = i;
    while (j + 1 < sorted.length && (sorted[j + 1] as number) === (sorted[j] as number) + 1) j++;
    parts.push(i === j ? `1.${sorted[i]}` : `1.${sorted[i]}-1.${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

export function releaseRangesInclude(ranges: string, minor: number): boolean {
  for (const part of ranges.split(',')) {
    const [from, to] = part.split('-');
    const lo = minorOf(from as string);
    const hi = to === undefined ? lo : minorOf(to);
    if (lo !== undefined && hi !== undefined && minor >= lo && minor <= hi) return true;
  }
  return false;
}

function variantFor<T>(variants: readonly ReleaseVariant<T>[] | undefined, minor: number): ReleaseVariant<T> | undefined {
  return variants?.find((v) => releaseRangesInclude(v.in, minor));
}

function expandMessage(newest: BundleMessage | undefined, older: ReleaseMessage, name: string): BundleMessage {
  const fields = older.fields.map((f) => {
    if (typeof f !== 'number') return f;
    const same = newest?.fields.find((n) => n.number === f);
    if (same === undefined) throw new Error(`release differences: ${name} refers to field ${f}, which the newest bundle lacks`);
    return same;
  });
  const out: BundleMessage = { fields };
  if (older.special !== undefined) out.special = older.special;
  return out;
}

/** The schema bundle of one older release, rebuilt from the newest bundle and the differences. */
export function bundleForRelease(newest: SchemaBundle, differences: ReleaseDifferences, release: string): SchemaBundle {
  const minor = minorOf(release);
  const entry = differences.releases.find((r) => r.release === release);
  if (minor === undefined || entry === undefined) throw new Error(`release differences: no release ${release}`);
  const groupVersions: Record<string, string> = {};
  const allGroupVersions = new Set([...Object.keys(newest.groupVersions), ...Object.keys(differences.groupVersions)]);
  for (const gv of [...allGroupVersions].sort()) {
    const variant = variantFor(differences.groupVersions[gv], minor);
    const pkg = variant === undefined ? newest.groupVersions[gv] : variant.is;
    if (pkg !== undefined && pkg !== null) groupVersions[gv] = pkg;
  }
  const messages: Record<string, BundleMessage> = {};
  const allNames = new Set([...Object.keys(newest.messages), ...Object.keys(differences.messages)]);
  for (const name of [...allNames].sort()) {
    const variant = variantFor(differences.messages[name], minor);
    if (variant === undefined) {
      const same = newest.messages[name];
      if (same !== undefined) messages[name] = same;
    } else if (variant.is !== null) {
      messages[name] = expandMessage(newest.messages[name], variant.is, name);
    }
  }
  return {
    header: { ...newest.header, kubernetesVersion: `v${release}`, sources: entry.sources },
    groupVersions,
    sharedKindsPackage: newest.sharedKindsPackage,
    messages,
  };
}

/** Which known releases define field `number` of a message, and its name there. */
export interface FieldReleases {
  name: string;
  /** Minor numbers of the releases whose message has the field, ascending. */
  minors: number[];
}

export function fieldReleases(newest: SchemaBundle, differences: ReleaseDifferences, message: string, number: number): FieldReleases | undefined {
  let name: string | undefined;
  const minors: number[] = [];
  for (const { release } of differences.releases) {
    const minor = minorOf(release) as number;
    const variant = variantFor(differences.messages[message], minor);
    const fields: ReleaseField[] | undefined = variant === undefined ? newest.messages[message]?.fields : variant.is?.fields;
    const field = fields?.find((f) => (typeof f === 'number' ? f : f.number) === number);
    if (field === undefined) continue;
    minors.push(minor);
    // The newest name wins: releases are walked oldest first.
    name = typeof field === 'number' ? (newest.messages[message]?.fields.find((f) => f.number === number)?.name ?? name) : field.name;
  }
  return name === undefined ? undefined : { name, minors };
}

/**
 * What kreg knows of a field the chosen release does not define, as a short label:
 * "removed in 1.25 (clusterName)", "added in 1.33 (name)", "only in 1.20-1.22 (x)", or undefined
 * when no known release has it (then it was written by a newer Kubernetes).
 */
export function describeFieldHistory(history: FieldReleases | undefined, chosenMinor: number): string | undefined {
  if (history === undefined || history.minors.length === 0) return undefined;
  const first = history.minors[0] as number;
  const last = history.minors[history.minors.length - 1] as number;
  const contiguous = last - first + 1 === history.minors.length;
  if (contiguous && chosenMinor < first) return `added in 1.${first} (${history.name})`;
  if (contiguous && chosenMinor > last) return `removed in 1.${last + 1} (${history.name})`;
  return `only in ${formatReleaseRanges(history.minors)} (${history.name})`;
}
