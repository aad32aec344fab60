/**
 * Worker thread for `kreg get`: decodes a batch of entries and renders each in the output format,
 * so decoding runs on another core while the main thread reads etcd and writes the output.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { JsonObject } from '../codec/json-value.js';
import type { EncryptionConfig } from '../codec/encryption-config.js';
import { builtinRegistry, learnFromStoredObjects } from '../keys/index.js';
import type { Entry } from '../sources/source.js';
import type { GetFormat } from './object-writers.js';
import { itemRenderer, JSON_INDENT, LIST_ITEM_LEVEL } from './object-writers.js';
import { entryToPrinted } from './render-entry.js';
import { StoredText } from './stored-text.js';
import { JsonTextBuffer } from '../codec/json-text-buffer.js';
import { loadSchema } from '../schema-bundle.js';
import { type RenderBatch, RENDERED_OBJECT, RENDERED_STUB, type RenderReply } from './render-pool.js';

export interface RenderWorkerSetup {
  format: GetFormat;
  single: boolean;
  prefix: string;
  showSecrets: boolean;
  showManagedFields: boolean;
  customResourceDefinitions: JsonObject[];
  apiServices: JsonObject[];
  /** --encryption-config, parsed (plain data: it crosses to the worker by structured clone). */
  encryption?: EncryptionConfig;
  /** --kube-version: the release to decode as. */
  kubeVersion?: string;
}

const setup = workerData as RenderWorkerSetup;
const { registry } = learnFromStoredObjects({ customResourceDefinitions: setup.customResourceDefinitions, apiServices: setup.apiServices }, builtinRegistry());
// Loaded only with --encryption-config: the ciphers stay out of plain listings.
const decryptor = setup.encryption === undefined ? undefined : (await import('../decryption/node-decryptor.js')).createDecryptor(setup.encryption);
const decodeOptions = { ...(decryptor === undefined ? {} : { decryptor }), ...(setup.kubeVersion === undefined ? {} : { kubeVersion: setup.kubeVersion }) };
const render = itemRenderer(setup.format, setup.single);
if (render === undefined) throw new Error(`format ${setup.format} is not rendered in a worker`);
// The fast path, as on the main thread: a List's items (JSON two levels in, see object-writers.ts; YAML after its `-`).
const fastPath =
  (setup.format === 'json' || setup.format === 'ndjson' || setup.format === 'yaml') && !setup.single
    ? {
        text: new StoredText(loadSchema(setup.kubeVersion), setup),
        yaml: setup.format === 'yaml',
        indent: setup.format === 'json' ? JSON_INDENT : 0,
        level: setup.format === 'json' ? LIST_ITEM_LEVEL : 0,
      }
    : undefined;

/**
 * Writes the entry's object as text straight from its stored bytes into `out`, laid out as
 * render() lays out an item; false, with nothing written, when the object path must.
 */
function writeStoredText(entry: Entry, out: JsonTextBuffer): boolean {
  if (fastPath === undefined) return false;
  const mark = out.length;
  let written: boolean;
  if (fastPath.yaml) {
    out.byte(0x2d);
    written = fastPath.text.writeYaml(entry, out, true);
  } else {
    if (fastPath.level > 0) out.ascii(' '.repeat(fastPath.indent * fastPath.level));
    written = fastPath.text.write(entry, out, fastPath.indent, fastPath.level);
    if (written && fastPath.indent === 0) out.byte(0x0a);
  }
  if (!written) out.length = mark;
  return written;
}

parentPort?.on('message', (batch: RenderBatch) => {
  const values = new Uint8Array(batch.values);
  // The batch's text goes to its slot's memory (shared), or to memory of its own once larger.
  const out = new JsonTextBuffer(batch.output.byteLength, batch.output);
  const count = batch.entries.length;
  const shown = new Uint8Array(count);
  const ends = new Int32Array(count);
  const notes: [number, string][] = [];
  for (let i = 0; i < count; i++) {
    // The entry's facts came across as a fresh object: it takes its value (no copy of the object).
    const entry = batch.entries[i] as Entry;
    entry.value = values.subarray(batch.offsets[i] as number, batch.offsets[i + 1] as number);
    if (writeStoredText(entry, out)) shown[i] = RENDERED_OBJECT;
    else {
      const rendered = entryToPrinted(entry, registry, setup.prefix, { showSecrets: setup.showSecrets, showManagedFields: setup.showManagedFields }, decodeOptions);
      if (rendered.note !== undefined) notes.push([i, rendered.note]);
      if (rendered.item !== undefined) {
        out.text(render(rendered.item));
        shown[i] = rendered.stub === true ? RENDERED_STUB : RENDERED_OBJECT;
      }
    }
    ends[i] = out.length;
  }
  const output = out.bytes.buffer;
  const reply: RenderReply = { id: batch.id, shown, ends, notes, output, length: out.length };
  parentPort?.postMessage(reply, output instanceof SharedArrayBuffer ? [shown.buffer, ends.buffer] : [output, shown.buffer, ends.buffer]);
});
