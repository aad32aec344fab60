/**
 * One stored entry → what `kreg get` prints for it, or the note saying why it cannot be shown.
 * No I/O, so it runs the same on the main thread and in a worker thread.
 */
import type { JsonObject } from '../codec/json-value.js';
import { encryptedLabel, encryptedObjectStub, encryptedValueFacts, type EncryptedValueFacts } from '../encrypted-object.js';
import { KregError } from '../errors.js';
import { apiVersionOf, tryParseKey, type ParsedKey, type ResourceRegistry } from '../keys/index.js';
import type { Entry } from '../sources/source.js';
import { maskSecret } from '../mask-secrets.js';
import { type DecodeEntryOptions, decodeEntry, type StoredObject } from '../stored-objects.js';
import type { PrintedObject } from './object-writers.js';
import { carriedStorageOf } from '../codec/carried-storage.js';
import { carriedText } from './carried-text.js';

/**
 * An object to print; or a note alone (a value that is no object). An encrypted value that was not
 * decrypted is still printed, as a stand-in (`stub`): with a note when decrypting it failed (a
 * wrong key, a plugin that failed), without one when no keys were given.
 */
export type RenderedEntry = { item: PrintedObject; note?: string; stub?: boolean } | { item?: undefined; note: string; stub?: undefined };

/** A key where Secrets are stored, whatever its value turned out to be. */
function isSecretKey(parsed: ParsedKey | undefined): boolean {
  return parsed?.type === 'object' && parsed.group === '' && parsed.resource === 'secrets';
}

function resourceNameOf(parsed: ParsedKey | undefined, object: JsonObject): string {
  return parsed?.type === 'object' ? `${parsed.entry.singular}${parsed.group === '' ? '' : `.${parsed.group}`}` : String(object.kind ?? 'object').toLowerCase();
}

/** The stand-in of an encrypted value, printed where the object would be. */
function stubItem(entry: Entry, parsed: ParsedKey | undefined, facts: EncryptedValueFacts): PrintedObject {
  const object = encryptedObjectStub(entry.key, parsed, facts);
  const name = parsed?.type === 'object' ? parsed.name : entry.key;
  const label = encryptedLabel(facts);
  const item: PrintedObject = {
    object,
    qualifiedName: `${resourceNameOf(parsed, object)}/${name}`,
    kind: String(object.kind),
    wide: { size: entry.valueSize, encoding: 'encrypted', revision: entry.modRevision, key: entry.key },
    // The columns of the kind its key says it is, when the key says.
    encrypted: parsed?.type === 'object' ? { label, type: { apiVersion: apiVersionOf(parsed.group, parsed.version), kind: parsed.kind } } : { label },
  };
  return item;
}

/** What of an object is shown: Secret data (masked unless asked), managedFields (hidden unless asked, as kubectl). */
export interface EntryView {
  showSecrets: boolean;
  showManagedFields: boolean;
  /** Attach the storage record kreg encode needs to give the stored bytes back (see carried-text.ts). */
  carryStorage?: boolean;
}

/** The object without metadata.managedFields (a copy; the decoded object is left as it is). */
function withoutManagedFields(object: JsonObject): JsonObject {
  const metadata = object.metadata;
  if (metadata === null || typeof metadata !== 'object' || Array.isArray(metadata) || !('managedFields' in metadata)) return object;
  const { managedFields: _hidden, ...rest } = metadata as JsonObject;
  return { ...object, metadata: rest };
}

export function entryToPrinted(entry: Entry, registry: ResourceRegistry, prefix: string, view: EntryView, decodeOptions: DecodeEntryOptions = {}): RenderedEntry {
  const { showSecrets } = view;
  // managedFields dropped below need not be decoded in full (the record kreg encode reads keeps them).
  const hidden = !view.showManagedFields && view.carryStorage !== true;
  let stored: StoredObject;
  try {
    stored = decodeEntry(entry, registry, prefix, hidden ? { ...decodeOptions, managedFieldsHidden: true } : decodeOptions);
  } catch (err) {
    const note = err instanceof KregError ? err.describe() : `${entry.key}: ${String(err)}`;
    // A value that could not be decrypted is an error for it alone; it is still listed.
    const facts = encryptedValueFacts(entry.value, decodeOptions.decryptor?.config);
    return facts === undefined ? { note } : { item: stubItem(entry, tryParseKey(entry.key, { prefix, registry }), facts), note, stub: true };
  }
  const { decoded } = stored;
  if (stored.object === undefined) {
    const facts = decoded.format === 'encrypted' ? encryptedValueFacts(entry.value) : undefined;
    if (facts !== undefined) return { item: stubItem(entry, stored.parsed, facts), stub: true };
    const why =
      isSecretKey(stored.parsed) && !showSecrets
        ? `not a Kubernetes object (${decoded.size} bytes; its bytes are not shown, being under the Secret prefix)`
        : `not a Kubernetes object (${decoded.size} bytes, starts ${decoded.hexPreview ?? ''})`;
    return { note: `${entry.key}: ${why}` };
  }
  const masked = showSecrets ? stored.object : maskSecret(stored.object);
  const object = view.showManagedFields ? masked : withoutManagedFields(masked);
  const name = (object.metadata as JsonObject | undefined)?.name;
  const item: PrintedObject = {
    object,
    qualifiedName: `${resourceNameOf(stored.parsed, object)}/${typeof name === 'string' ? name : entry.key}`,
    kind: String(object.kind ?? ''),
    wide: { size: entry.valueSize, encoding: decoded.format, revision: entry.modRevision, key: entry.key },
  };
  // A masked Secret cannot be encoded anyway, and its record could hold what the mask hides.
  const carried = view.carryStorage === true && masked === stored.object ? carriedText(carriedStorageOf(decoded, object)) : undefined;
  if (carried !== undefined) item.carried = carried;
  return { item };
}
