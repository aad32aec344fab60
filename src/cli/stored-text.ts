/**
 * `kreg get -o json/ndjson/yaml`'s fast path: a stored protobuf value written straight as the text
 * the object path would print (src/codec/protobuf-to-json-text.ts), into the writer's batch of
 * output bytes. Values it does not cover go the object path, one by one, in order.
 */
import { JsonTextBuffer } from '../codec/json-text-buffer.js';
import { writeStoredObjectJson, writeStoredObjectYaml, type JsonTextOptions, type YamlTextOptions } from '../codec/protobuf-to-json-text.js';
import type { Schema } from '../codec/schema.js';
import { formatJson, YAML_EMITTER } from '../format/object-text.js';
import { MASKED_SECRET_VALUE } from '../mask-secrets.js';
import type { Entry } from '../sources/source.js';

/** What is written of each object: the view kubectl users chose (secrets masked, managedFields hidden). */
export class StoredText {
  private readonly options: JsonTextOptions;
  private readonly yamlOptions: YamlTextOptions;

  constructor(
    private readonly schema: Schema,
    view: { showSecrets: boolean; showManagedFields: boolean },
  ) {
    this.options = {
      resourceVersion: '',
      managedFieldsHidden: !view.showManagedFields,
      indent: 0,
      depth: 0,
      secretsMasked: !view.showSecrets,
      maskedSecretValue: MASKED_SECRET_VALUE,
      jsonText: formatJson,
    };
    this.yamlOptions = { ...this.options, listItem: false, emitter: YAML_EMITTER };
  }

  /** Writes the entry's object at the indent and level given; false (nothing written) when the object path must. */
  write(entry: Entry, out: JsonTextBuffer, indent: number, depth: number): boolean {
    const options = this.options;
    options.resourceVersion = String(entry.modRevision);
    options.indent = indent;
    options.depth = depth;
    return writeStoredObjectJson(this.schema, entry.value, options, out);
  }

  /** Writes the entry's object as YAML, alone or as a List's item after its `-`; false (nothing written) when the object path must. */
  writeYaml(entry: Entry, out: JsonTextBuffer, listItem: boolean): boolean {
    const options = this.yamlOptions;
    options.resourceVersion = String(entry.modRevision);
    options.listItem = listItem;
    return writeStoredObjectYaml(this.schema, entry.value, options, out);
  }
}

/** Output gathered into chunks of about this size: one write per chunk rather than per object. */
const CHUNK_BYTES = 256 * 1024;
const CHUNK_MEMORY = CHUNK_BYTES + CHUNK_BYTES / 4;
/** Chunks' memory kept for use again once written: the stream writes a chunk or two behind. */
const SPARE_CHUNKS = 4;

/**
 * Where output goes: `written`, when given, is called once the stream is done with the chunk (its
 * memory may then be used again); streams that keep the chunk never call it.
 */
export type OutputWrite = (chunk: string | Uint8Array, written?: () => void) => void;

/**
 * Text and bytes gathered in order and handed on in chunks. A chunk's memory is used again once the
 * stream has written it: new memory per chunk (hundreds of megabytes in a large listing) made V8
 * collect its heap again and again for the memory outside it.
 */
export class BatchedOutput {
  readonly buffer = new JsonTextBuffer(CHUNK_MEMORY);
  private readonly spares: Uint8Array[] = [];

  constructor(private readonly out: OutputWrite) {}

  /** Text, or text already UTF-8 (copied: the bytes may be reused once this returns). */
  write(text: string | Uint8Array): void {
    if (typeof text === 'string') this.buffer.text(text);
    else this.buffer.append(text);
    this.flushIfFull();
  }

  flushIfFull(): void {
    if (this.buffer.length >= CHUNK_BYTES) this.flush();
  }

  flush(): void {
    if (this.buffer.length === 0) return;
    const memory = this.buffer.bytes;
    const chunk = this.buffer.take(this.spares.pop());
    // Memory grown for one large object is not kept.
    this.out(chunk, memory.length === CHUNK_MEMORY ? () => this.spares.length < SPARE_CHUNKS && this.spares.push(memory) : undefined);
  }
}
