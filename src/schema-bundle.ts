/**
 * Loads the schema bundle from proto/ on first use. Kept out of module start-up so that commands
 * which decode nothing (`kreg --help`, `kreg keys ...`) never pay for it. The newest release is
 * one whole bundle; older ones are rebuilt from it and proto/kubernetes-releases.json, which is
 * read only when a run asks for an older release or must say where an unknown field came from.
 */
import { readFileSync } from 'node:fs';
import { indexSchema, type Schema, type SchemaBundle } from './codec/schema.js';
import { bundleForRelease, describeFieldHistory, fieldReleases, minorOf, type ReleaseDifferences } from './codec/schema-releases.js';
import { UsageError } from './errors.js';
import { BUNDLE_FILE, NEWEST_RELEASE, RELEASES_FILE } from './schema-files.js';

export { BUNDLE_FILE, NEWEST_RELEASE, RELEASES_FILE };

const schemas = new Map<string, Schema>();
let newestBundle: SchemaBundle | undefined;
let differences: ReleaseDifferences | undefined;

/** Whether this process has loaded the bundle yet (commands that decode nothing must not). */
export function isSchemaLoaded(): boolean {
  return newestBundle !== undefined;
}

function loadNewestBundle(): SchemaBundle {
  newestBundle ??= JSON.parse(readFileSync(BUNDLE_FILE, 'utf8')) as SchemaBundle;
  return newestBundle;
}

function loadDifferences(): ReleaseDifferences {
  differences ??= JSON.parse(readFileSync(RELEASES_FILE, 'utf8')) as ReleaseDifferences;
  return differences;
}

/** Every release kreg has the schema of, oldest first ("1.16" ... "1.36"). */
export function knownReleases(): string[] {
  return loadDifferences().releases.map((r) => r.release);
}

/** "1.19", "v1.19" or "1.19.16" → "1.19", or a UsageError that lists the known releases. */
export function normalizeRelease(text: string): string {
  const m = /^v?(1\.\d{1,3})(?:\.\d+)?$/.exec(text.trim());
  const release = m?.[1];
  const known = release === NEWEST_RELEASE ? [] : knownReleases();
  if (release === undefined || (release !== NEWEST_RELEASE && !known.includes(release))) {
    throw new UsageError('unknown-kube-version', `unknown Kubernetes release "${text}": kreg knows ${known[0]} to ${known[known.length - 1]} (${known.join(', ')})`);
  }
  return release;
}

/**
 * The schema of a Kubernetes release (default: the newest). Indexed once per release per process.
 * @throws UsageError for a release kreg does not know.
 */
export function loadSchema(kubeVersion?: string): Schema {
  // Called once per entry: a release already loaded under the name it was asked by is not parsed again.
  const asked = schemas.get(kubeVersion ?? NEWEST_RELEASE);
  if (asked !== undefined) return asked;
  const release = kubeVersion === undefined ? NEWEST_RELEASE : normalizeRelease(kubeVersion);
  const cached = schemas.get(release);
  if (cached !== undefined) {
    if (kubeVersion !== undefined) schemas.set(kubeVersion, cached);
    return cached;
  }
  const newest = loadNewestBundle();
  const bundle = release === NEWEST_RELEASE ? newest : bundleForRelease(newest, loadDifferences(), release);
  const chosenMinor = minorOf(release) as number;
  const labels = new Map<string, string | undefined>();
  const schema = indexSchema(bundle, {
    describeUnknownField(message, number) {
      const key = `${message}\u0000${number}`;
      if (!labels.has(key)) labels.set(key, describeFieldHistory(fieldReleases(newest, loadDifferences(), message, number), chosenMinor));
      return labels.get(key);
    },
  });
  schemas.set(release, schema);
  return schema;
}
