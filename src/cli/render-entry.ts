/**
 * One stored entry → what `kreg get` prints for it, or the note saying why it cannot be shown.
 * No I/O, so it runs the same on the main thread and in a worker thread.
 */
import type { ValueDecryptor } from '../codec/decrypt.js';
import type { JsonObject } from '../codec/json-value.js';
import { KregError } from '../errors.js';
import type { ParsedKey, ResourceRegistry } from '../keys/index.js';
import type { Entry } from '../sources/source.js';
import { maskSecret } from '../mask-secrets.js';
import { decodeEntry, type StoredObject } from '../stored-objects.js';
import type { PrintedObject } from './object-writers.js';

export type RenderedEntry = { item: PrintedObject; note?: undefined } | { item?: undefined; note: string };

/** A key where Secrets are stored, whatever its value turned out to be. */
function isSecretKey(parsed: ParsedKey | undefined): boolean {
  return parsed?.type === 'object' && parsed.group === '' && parsed.resource === 'secrets';
}

/** What of an object is shown: Secret data (masked unless asked), managedFields (hidden unless asked, as kubectl). */
export interface EntryView {
  showSecrets: boolean;
  showManagedFields: boolean;
}

/** The object without metadata.managedFields (a copy; the decoded object is left as it is). */
function withoutManagedFields(object: JsonObject): JsonObject {
  const metadata = object.metadata;
  if (metadata === null || typeof metadata !== 'object' || Array.isArray(metadata) || !('managedFields' in metadata)) return object;
  const { managedFields: _hidden, ...rest } = metadata as JsonObject;
  return { ...object, metadata: rest };
}

export function entryToPrinted(entry: Entry, registry: ResourceRegistry, prefix: string, view: EntryView, decryptor?: ValueDecryptor): RenderedEntry {
  const { showSecrets } = view;
  let stored: StoredObject;
  try {
    stored = decodeEntry(entry, registry, prefix, decryptor === undefined ? {} : { decryptor });
  } catch (err) {
    return { note: err instanceof KregError ? err.describe() : `${entry.key}: ${String(err)}` };
  }
  const { decoded } = stored;
  if (stored.object === undefined) {
    const why =
      decoded.format === 'encrypted'
        ? `encrypted at rest (${decoded.encryption?.provider ?? 'unknown provider'}, key "${decoded.encryption?.keyName ?? '?'}"); give --encryption-config to decrypt it`
        : isSecretKey(stored.parsed) && !showSecrets
          ? `not a Kubernetes object (${decoded.size} bytes; its bytes are not shown, being under the Secret prefix)`
          : `not a Kubernetes object (${decoded.size} bytes, starts ${decoded.hexPreview ?? ''})`;
    return { note: `${entry.key}: ${why}` };
  }
  const masked = showSecrets ? stored.object : maskSecret(stored.object);
  const object = view.showManagedFields ? masked : withoutManagedFields(masked);
  const parsed = stored.parsed;
  const resourceName = parsed?.type === 'object' ? `${parsed.entry.singular}${parsed.group === '' ? '' : `.${parsed.group}`}` : String(object.kind ?? 'object').toLowerCase();
  const name = (object.metadata as JsonObject | undefined)?.name;
  return {
    item: {
      object,
      qualifiedName: `${resourceName}/${typeof name === 'string' ? name : entry.key}`,
      kind: String(object.kind ?? ''),
      wide: { size: entry.valueSize, encoding: decoded.format, revision: entry.modRevision, key: entry.key },
    },
  };
}
