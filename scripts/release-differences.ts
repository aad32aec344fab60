/**
 * Builds proto/kubernetes-releases.json: the schema facts of every older Kubernetes release in
 * ../shared/kubernetes-versions, stored as differences against the newest bundle (see
 * src/codec/schema-releases.ts for the form and why). Only schema facts are extracted.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { BundleMessage, SchemaBundle } from '../src/codec/schema.js';
import { formatReleaseRanges, minorOf, type ReleaseDifferences, type ReleaseField, type ReleaseMessage, type ReleaseVariant } from '../src/codec/schema-releases.js';
import { type BundleRelease, generateBundle } from './generate-bundle.js';

export function defaultVersionsDir(sharedDir: string): string {
  return resolve(sharedDir, '../kubernetes-versions');
}

interface VersionFile {
  kubernetes: string;
  api: string;
  apimachinery: string;
  'apiextensions-apiserver': string;
  'kube-aggregator': string;
}

/** The release folders (v1.16 ...) of the versions tree, oldest first. */
export function releaseFolders(versionsDir: string): { release: string; dir: string; header: BundleRelease }[] {
  return readdirSync(versionsDir)
    .filter((name) => minorOf(name) !== undefined && existsSync(join(versionsDir, name, 'version.json')))
    .sort((a, b) => (minorOf(a) as number) - (minorOf(b) as number))
    .map((name) => {
      const dir = join(versionsDir, name);
      const v = JSON.parse(readFileSync(join(dir, 'version.json'), 'utf8')) as VersionFile;
      const sources = `kubernetes/api ${v.api}, apimachinery ${v.apimachinery}, apiextensions-apiserver ${v['apiextensions-apiserver']}, kube-aggregator ${v['kube-aggregator']}`;
      return { release: name.slice(1), dir, header: { kubernetesVersion: name, sources } };
    });
}

/** An older message with every field the newest release has unchanged replaced by its number. */
function compactMessage(older: BundleMessage, newest: BundleMessage | undefined): ReleaseMessage {
  const fields: ReleaseField[] = older.fields.map((f) => {
    const same = newest?.fields.find((n) => n.number === f.number);
    return same !== undefined && JSON.stringify(same) === JSON.stringify(f) ? f.number : f;
  });
  const out: ReleaseMessage = { fields };
  if (older.special !== undefined) out.special = older.special;
  return out;
}

/** Per-release values that differ from the newest, grouped into variants by equal value. */
function variants<T>(perRelease: Map<number, T | null>): ReleaseVariant<T>[] {
  const byValue = new Map<string, { minors: number[]; is: T | null }>();
  for (const [minor, is] of perRelease) {
    const key = JSON.stringify(is);
    const group = byValue.get(key) ?? { minors: [], is };
    group.minors.push(minor);
    byValue.set(key, group);
  }
  return [...byValue.values()].sort((a, b) => (a.minors[0] as number) - (b.minors[0] as number)).map((g) => ({ in: formatReleaseRanges(g.minors), is: g.is }));
}

export function generateReleaseDifferences(newest: SchemaBundle, versionsDir: string): ReleaseDifferences {
  const gvDiffs = new Map<string, Map<number, string | null>>();
  const messageDiffs = new Map<string, Map<number, ReleaseMessage | null>>();
  const releases: ReleaseDifferences['releases'] = [];
  for (const { release, dir, header } of releaseFolders(versionsDir)) {
    const minor = minorOf(release) as number;
    const bundle = generateBundle(dir, header);
    releases.push({ release, sources: header.sources });
    for (const gv of new Set([...Object.keys(bundle.groupVersions), ...Object.keys(newest.groupVersions)])) {
      const older = bundle.groupVersions[gv] ?? null;
      if (older === (newest.groupVersions[gv] ?? null)) continue;
      const perRelease = gvDiffs.get(gv) ?? new Map<number, string | null>();
      perRelease.set(minor, older);
      gvDiffs.set(gv, perRelease);
    }
    for (const name of new Set([...Object.keys(bundle.messages), ...Object.keys(newest.messages)])) {
      const older = bundle.messages[name];
      const now = newest.messages[name];
      if (JSON.stringify(older) === JSON.stringify(now)) continue;
      const perRelease = messageDiffs.get(name) ?? new Map<number, ReleaseMessage | null>();
      perRelease.set(minor, older === undefined ? null : compactMessage(older, now));
      messageDiffs.set(name, perRelease);
    }
  }
  releases.push({ release: newest.header.kubernetesVersion.replace(/^v/, ''), sources: newest.header.sources });
  const groupVersions: ReleaseDifferences['groupVersions'] = {};
  for (const gv of [...gvDiffs.keys()].sort()) groupVersions[gv] = variants(gvDiffs.get(gv) as Map<number, string | null>);
  const messages: ReleaseDifferences['messages'] = {};
  for (const name of [...messageDiffs.keys()].sort()) messages[name] = variants(messageDiffs.get(name) as Map<number, ReleaseMessage | null>);
  return {
    header: {
      description: 'kreg schema facts of older Kubernetes releases, as differences against the newest bundle. Generated; do not edit.',
      generator: 'scripts/generate-bundle.ts',
      regenerate: 'npm run generate',
      against: `kubernetes-${newest.header.kubernetesVersion}.json`,
    },
    releases,
    groupVersions,
    messages,
  };
}

/** One message per line, like the newest bundle, so regenerations diff cleanly. */
export function serializeReleaseDifferences(differences: ReleaseDifferences): string {
  const lines: string[] = ['{'];
  lines.push(`"header": ${JSON.stringify(differences.header)},`);
  lines.push(`"releases": ${JSON.stringify(differences.releases)},`);
  lines.push(`"groupVersions": ${JSON.stringify(differences.groupVersions)},`);
  lines.push('"messages": {');
  const names = Object.keys(differences.messages);
  names.forEach((name, i) => {
    lines.push(`${JSON.stringify(name)}: ${JSON.stringify(differences.messages[name])}${i < names.length - 1 ? ',' : ''}`);
  });
  lines.push('}');
  lines.push('}');
  return `${lines.join('\n')}\n`;
}
