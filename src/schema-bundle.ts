/**
 * Loads the schema bundle from proto/ on first use. Kept out of module start-up so that commands
 * which decode nothing (`kreg --help`, `kreg keys ...`) never pay for it.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { indexSchema, type Schema, type SchemaBundle } from './codec/schema.js';

/** The compiled module lives in dist/src/, two levels below the package root that holds proto/. */
export const BUNDLE_FILE = fileURLToPath(new URL('../../proto/kubernetes-v1.36.json', import.meta.url));

let cached: Schema | undefined;

/** Whether this process has loaded the bundle yet (commands that decode nothing must not). */
export function isSchemaLoaded(): boolean {
  return cached !== undefined;
}

export function loadSchema(): Schema {
  cached ??= indexSchema(JSON.parse(readFileSync(BUNDLE_FILE, 'utf8')) as SchemaBundle);
  return cached;
}
