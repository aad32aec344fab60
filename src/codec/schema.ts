/**
 * The schema bundle: every Kubernetes API protobuf message kreg knows, with the facts needed to
 * map it to the JSON the API serves. The bundle file (proto/) is data written by
 * scripts/generate-bundle.ts; this module only describes its shape and indexes it for fast lookup.
 */

/** Protobuf scalar types used by the Kubernetes API (proto2, no enums, no sint/fixed types). */
export type ScalarType = 'string' | 'bytes' | 'bool' | 'int32' | 'int64' | 'double';

/**
 * How the Go field is held, which decides both wire presence and JSON emptiness:
 * - value: a plain Go value (string, int, bool, struct); always written on the wire.
 * - pointer: written only when non-nil; in JSON, nil is omitted (omitempty) or null.
 * - slice, map: one wire field per element/entry; nil (no elements) is omitted or null.
 * - bytes: a []byte; written when non-nil; base64 in JSON.
 */
export type GoShape = 'value' | 'pointer' | 'slice' | 'map' | 'bytes';

/** Messages whose Go types have their own JSON marshalling instead of a plain struct mapping. */
export type SpecialJson =
  | 'time' // metav1.Time: RFC 3339, seconds precision; zero is null
  | 'micro-time' // metav1.MicroTime: RFC 3339 with 6 fractional digits; zero is null
  | 'duration' // metav1.Duration: a Go duration string such as 1h2m3s
  | 'quantity' // resource.Quantity: its canonical string
  | 'int-or-string' // intstr.IntOrString: a number or a string
  | 'raw-json' // runtime.RawExtension, metav1.FieldsV1, apiextensions JSON: embedded JSON
  | 'string-list' // a named Go []string carried as a message with repeated items (ExtraValue, Verbs)
  | 'schema-or-array' // JSONSchemaPropsOrArray: a schema, or an array of schemas
  | 'schema-or-bool' // JSONSchemaPropsOrBool: a bool, or a schema
  | 'schema-or-string-array'; // JSONSchemaPropsOrStringArray: a schema, or an array of strings

export interface BundleField {
  name: string;
  number: number;
  /** A scalar type, or the full name of a message (without leading dot). */
  type: string;
  repeated?: true;
  /** For map fields: the key type; `type` is then the value type. */
  mapKey?: ScalarType;
  /** JSON name; absent when the Go field is inlined into its parent or skipped (json:"-"). */
  json?: string;
  inline?: true;
  /** json:"-": the field is on the wire but never in JSON. */
  skip?: true;
  omitempty?: true;
  omitzero?: true;
  go: GoShape;
}

export interface BundleMessage {
  fields: BundleField[];
  special?: SpecialJson;
}

export interface SchemaBundle {
  header: {
    description: string;
    kubernetesVersion: string;
    sources: string;
    generator: string;
    regenerate: string;
  };
  /** apiVersion ("v1", "apps/v1") to the protobuf package that holds its kinds. */
  groupVersions: Record<string, string>;
  /** Package whose kinds (Status, WatchEvent, DeleteOptions, ...) every group version also serves. */
  sharedKindsPackage: string;
  messages: Record<string, BundleMessage>;
}

/** A field with everything the codec needs resolved once, at index time. */
export interface SchemaField extends BundleField {
  /** Position in SchemaMessage.fields (Go order). */
  index: number;
  /** Wire type of one element: 0 varint, 1 fixed64, 2 length-delimited (maps, messages, strings). */
  wireType: number;
  /** The message type, when the field (or the map value) is a message. */
  message?: SchemaMessage;
}

export interface SchemaMessage {
  name: string;
  special?: SpecialJson;
  /** Fields in Go declaration order: the order JSON keys are written in. */
  fields: SchemaField[];
  /** Fields in ascending field number: the order protobuf writes them in. */
  wireOrder: SchemaField[];
  /** Field by number; sparse. */
  byNumber: (SchemaField | undefined)[];
  /** Field by JSON name, including the fields of inlined structs (resolved to the inline field). */
  byJsonName: Map<string, SchemaField>;
}

export interface Schema {
  bundle: SchemaBundle;
  messages: Map<string, SchemaMessage>;
  /** The message for an apiVersion and kind, or undefined when this bundle does not know it. */
  kindMessage(apiVersion: string, kind: string): SchemaMessage | undefined;
  message(name: string): SchemaMessage;
  /**
   * What is known of a field number this schema's message lacks, e.g. "removed in 1.25
   * (clusterName)"; undefined when no known release defines it (a newer Kubernetes wrote it).
   */
  describeUnknownField(message: string, number: number): string | undefined;
}

/** What the loader knows beyond one bundle: other releases' fields, for labelling unknown ones. */
export interface SchemaIndexOptions {
  describeUnknownField?: (message: string, number: number) => string | undefined;
}

export const SCALAR_TYPES: ReadonlySet<string> = new Set(['string', 'bytes', 'bool', 'int32', 'int64', 'double']);

function wireTypeOf(f: BundleField): number {
  if (f.mapKey !== undefined) return 2;
  switch (f.type) {
    case 'bool':
    case 'int32':
    case 'int64':
      return 0;
    case 'double':
      return 1;
    default:
      return 2;
  }
}

/** Index a bundle for decoding and encoding. Cheap enough to run once per process. */
export function indexSchema(bundle: SchemaBundle, options: SchemaIndexOptions = {}): Schema {
  const messages = new Map<string, SchemaMessage>();
  for (const [name, m] of Object.entries(bundle.messages)) {
    const fields: SchemaField[] = m.fields.map((f, index) => ({ ...f, index, wireType: wireTypeOf(f) }));
    const byNumber: (SchemaField | undefined)[] = [];
    for (const f of fields) byNumber[f.number] = f;
    const wireOrder = [...fields].sort((a, b) => a.number - b.number);
    const message: SchemaMessage = { name, fields, wireOrder, byNumber, byJsonName: new Map() };
    if (m.special !== undefined) message.special = m.special;
    messages.set(name, message);
  }
  for (const message of messages.values()) {
    for (const f of message.fields) {
      if (!SCALAR_TYPES.has(f.type)) {
        const target = messages.get(f.type);
        if (target === undefined) throw new Error(`schema bundle: ${message.name}.${f.name} refers to missing message ${f.type}`);
        f.message = target;
      }
    }
  }
  for (const message of messages.values()) indexJsonNames(message);

  // Only kinds of the schema are cached, so the cache is bounded by the schema whatever values hold.
  const kindCache = new Map<string, SchemaMessage>();
  return {
    bundle,
    messages,
    describeUnknownField: options.describeUnknownField ?? (() => undefined),
    message(name) {
      const m = messages.get(name);
      if (m === undefined) throw new Error(`schema bundle has no message ${name}`);
      return m;
    },
    kindMessage(apiVersion, kind) {
      const cacheKey = `${apiVersion}\u0000${kind}`;
      const cached = kindCache.get(cacheKey);
      if (cached !== undefined) return cached;
      // Own properties only: an apiVersion of "__proto__" or "toString" names no group version.
      const pkg = Object.hasOwn(bundle.groupVersions, apiVersion) ? bundle.groupVersions[apiVersion] : undefined;
      if (pkg === undefined) return undefined;
      const found = messages.get(`${pkg}.${kind}`) ?? messages.get(`${bundle.sharedKindsPackage}.${kind}`);
      if (found !== undefined) kindCache.set(cacheKey, found);
      return found;
    },
  };
}

/** JSON names of a message include those of its inlined structs, mapped to the top-level inline field. */
function indexJsonNames(message: SchemaMessage): void {
  for (const f of message.fields) if (f.json !== undefined) message.byJsonName.set(f.json, f);
  // Go gives a shallower field precedence over an inlined one with the same name, so the
  // message's own fields are indexed first and inlined names never overwrite them.
  for (const f of message.fields) {
    if (f.inline !== true || f.message === undefined) continue;
    for (const name of jsonNamesOf(f.message, new Set())) {
      if (!message.byJsonName.has(name)) message.byJsonName.set(name, f);
    }
  }
}

function jsonNamesOf(message: SchemaMessage, seen: Set<string>): string[] {
  if (seen.has(message.name)) return [];
  seen.add(message.name);
  const names: string[] = [];
  for (const f of message.fields) {
    if (f.json !== undefined) names.push(f.json);
    else if (f.inline === true && f.message !== undefined) names.push(...jsonNamesOf(f.message, seen));
  }
  return names;
}
