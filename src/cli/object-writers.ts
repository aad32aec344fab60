/**
 * Printers for `kreg get`, one per output format, all streaming: a List is written item by item
 * so a listing of millions of objects never sits in memory (only the table formats keep their
 * rows, to align columns as kubectl does). Notes about values that could not be shown go where
 * they do not break the output: as YAML comments, or on stderr.
 */
import type { JsonObject } from '../codec/json-value.js';
import { formatJson, formatYaml, formatYamlListItem } from '../format/object-text.js';
import { Printers, type KindPrinter } from '../format/columns/index.js';
import { labelsOf } from '../format/selectors.js';
import { formatTable } from '../format/table.js';
import type { Entry } from '../sources/source.js';
import { jsonWithCarried, yamlWithCarried } from './carried-text.js';
import { BatchedOutput, type OutputWrite, type StoredText } from './stored-text.js';

/** kubectl's tabwriter: at least 6 characters a column, gap included. */
export const KUBECTL_MIN_COLUMN_WIDTH = 6;

export const GET_FORMATS = ['yaml', 'json', 'name', 'wide', 'ndjson'] as const;
export type GetFormat = (typeof GET_FORMATS)[number] | 'table';

export interface PrintedObject {
  object: JsonObject;
  /** kubectl's resource/name form, e.g. deployment.apps/web. */
  qualifiedName: string;
  /** etcd facts: the columns --show-etcd adds to a table. */
  wide: { size: number; encoding: string; revision: number; key: string };
  kind: string;
  /**
   * A stand-in for a value encrypted at rest that was not decrypted: tables show `label` in every
   * column but the name, under the columns of `type` (the kind its key says it is).
   */
  encrypted?: { label: string; type?: { apiVersion: string; kind: string } };
  /** --show-etcd's facts, printed after the object so apiVersion, kind and metadata stay first. */
  etcd?: JsonObject;
  /** The storage record kreg encode reads back, printed last (see carried-text.ts). */
  carried?: string;
}

export interface ObjectWriter {
  write(item: PrintedObject): void;
  /** Text made by renderItem (perhaps in a worker thread, then as UTF-8 bytes), for the streaming formats. */
  writeRendered(text: string | Uint8Array): void;
  /** A value that could not be shown: one line naming the key and the reason. */
  note(text: string): void;
  /**
   * JSON, NDJSON and YAML: the entry's object written straight from its stored bytes (see
   * stored-text.ts); false, with nothing written, when it must go through write().
   */
  writeStored?(text: StoredText, entry: Entry): boolean;
  /** Hands on what is gathered so far (JSON, NDJSON and YAML gather output into chunks). */
  flush?(): void;
  end(): void;
}

export interface WriterOptions {
  /** A single named object prints as itself; anything else is a List, as kubectl does. */
  single: boolean;
  /** The revision the listing was read at, for the List's metadata.resourceVersion. */
  revision: number;
  showNamespace: boolean;
  showKind: boolean;
  out: OutputWrite;
  err: (text: string) => void;
  /** The time ages are counted to (tests fix it). */
  now?: Date;
  /** Tables: SIZE ENCODING REVISION KEY after kubectl's columns. */
  showEtcd?: boolean;
  noHeaders?: boolean;
  showLabels?: boolean;
  /** -L: one column per label key. */
  labelColumns?: readonly string[];
  /** The stored CRDs, for custom resources' printer columns. */
  customResourceDefinitions?: readonly JsonObject[];
  /** Said on stderr when a table has no rows: kubectl's "No resources found in NS namespace." */
  emptyMessage?: string;
  /** --output-watch-events: tables start with an EVENT column holding this (ADDED, MODIFIED, DELETED). */
  eventType?: string;
}

function indent(text: string, first: string, rest: string): string {
  const lines = text.replace(/\n$/, '').split('\n');
  return lines.map((line, i) => (i === 0 ? first : rest) + line).join('\n') + '\n';
}

function listFooterYaml(revision: number): string {
  return `kind: List\nmetadata:\n  resourceVersion: "${revision}"\n`;
}

/** The object as YAML, then --show-etcd's facts as a trailing `etcd:` block. */
function yamlOf(item: PrintedObject): string {
  const text = formatYaml(item.object);
  return yamlWithCarried(item.etcd === undefined ? text : `${text}${formatYaml({ etcd: item.etcd })}`, item.carried);
}

/** yamlOf as an entry of a List's items (`- ` first, the `etcd:` block aligned with the object's keys). */
function yamlItemOf(item: PrintedObject): string {
  const text = formatYamlListItem(item.object);
  return item.etcd === undefined ? text : `${text}  ${formatYamlListItem({ etcd: item.etcd }).slice(2)}`;
}

/** The object as JSON (keys sorted), then --show-etcd's facts as a last "etcd" member. */
function jsonOf(item: PrintedObject, indent: number): string {
  const text = formatJson(item.object, indent);
  if (item.etcd === undefined || !text.endsWith('}') || text === '{}') return jsonWithCarried(text, indent, item.carried);
  const facts = formatJson(item.etcd, indent);
  if (indent === 0) return jsonWithCarried(`${text.slice(0, -1)},"etcd":${facts}}`, indent, item.carried);
  const unit = ' '.repeat(indent);
  return jsonWithCarried(`${text.slice(0, -2)},\n${unit}"etcd": ${facts.replace(/\n/g, `\n${unit}`)}\n}`, indent, item.carried);
}

/** The object jsonpath and custom columns look at: --show-etcd's facts under .etcd. */
export function objectWithEtcd(item: PrintedObject): JsonObject {
  return item.etcd === undefined ? item.object : { ...item.object, etcd: item.etcd };
}

/**
 * How one item is written in a streaming format, as a pure function of the item: the part of
 * printing that can run in a worker thread. Table formats align columns over all rows, so they have none.
 */
export function itemRenderer(format: GetFormat, single: boolean): ((item: PrintedObject) => string) | undefined {
  switch (format) {
    case 'yaml':
      return single ? yamlOf : yamlItemOf;
    case 'json':
      return single ? (item) => `${jsonOf(item, 4)}\n` : (item) => indent(jsonOf(item, 4), '        ', '        ').replace(/\n$/, '');
    case 'ndjson':
      return (item) => `${jsonOf(item, 0)}\n`;
    case 'name':
      return (item) => `${item.qualifiedName}\n`;
    case 'wide':
    case 'table':
      return undefined;
  }
}

class YamlWriter implements ObjectWriter {
  private count = 0;
  private readonly render: (item: PrintedObject) => string;
  private readonly output: BatchedOutput;
  constructor(private readonly options: WriterOptions) {
    this.render = itemRenderer('yaml', options.single) as (item: PrintedObject) => string;
    this.output = new BatchedOutput(options.out);
  }
  write(item: PrintedObject): void {
    this.writeRendered(this.render(item));
  }
  writeRendered(text: string | Uint8Array): void {
    this.output.write(this.itemHead());
    this.output.write(text);
    this.count++;
  }
  writeStored(text: StoredText, entry: Entry): boolean {
    const buffer = this.output.buffer;
    const mark = buffer.length;
    // A List's item is written just after its `-`.
    if (!this.options.single) buffer.ascii(`${this.itemHead()}-`);
    if (!text.writeYaml(entry, buffer, !this.options.single)) {
      buffer.length = mark;
      return false;
    }
    this.count++;
    this.output.flushIfFull();
    return true;
  }
  /** What comes before an item: a List's `apiVersion: v1` and `items:` before its first. */
  private itemHead(): string {
    return !this.options.single && this.count === 0 ? 'apiVersion: v1\nitems:\n' : '';
  }
  note(text: string): void {
    this.output.write(`# kreg: ${text}\n`);
  }
  flush(): void {
    this.output.flush();
  }
  end(): void {
    if (!this.options.single) {
      if (this.count === 0) this.output.write('apiVersion: v1\nitems: []\n');
      this.output.write(listFooterYaml(this.options.revision));
    }
    this.output.flush();
  }
}

/** -o json's spaces per level (kubectl's). */
export const JSON_INDENT = 4;
/** A List's items sit two levels in: `{ "items": [ ITEM`. */
export const LIST_ITEM_LEVEL = 2;
const LIST_ITEM_INDENT = ' '.repeat(JSON_INDENT * LIST_ITEM_LEVEL);
/** A List's head, up to its first item. */
const LIST_OPEN = '{\n    "apiVersion": "v1",\n    "items": [';

class JsonWriter implements ObjectWriter {
  private count = 0;
  private readonly render: (item: PrintedObject) => string;
  private readonly output: BatchedOutput;
  constructor(private readonly options: WriterOptions) {
    this.render = itemRenderer('json', options.single) as (item: PrintedObject) => string;
    this.output = new BatchedOutput(options.out);
  }
  write(item: PrintedObject): void {
    this.writeRendered(this.render(item));
  }
  writeRendered(text: string | Uint8Array): void {
    if (!this.options.single) this.output.write(this.itemSeparator());
    this.output.write(text);
  }
  writeStored(text: StoredText, entry: Entry): boolean {
    const buffer = this.output.buffer;
    const mark = buffer.length;
    if (this.options.single) {
      if (!text.write(entry, buffer, JSON_INDENT, 0)) return false;
      buffer.byte(0x0a);
    } else {
      buffer.ascii(`${this.count === 0 ? `${LIST_OPEN}\n` : ',\n'}${LIST_ITEM_INDENT}`);
      if (!text.write(entry, buffer, JSON_INDENT, LIST_ITEM_LEVEL)) {
        buffer.length = mark;
        return false;
      }
      this.count++;
    }
    this.output.flushIfFull();
    return true;
  }
  private itemSeparator(): string {
    return this.count++ === 0 ? `${LIST_OPEN}\n` : ',\n';
  }
  note(text: string): void {
    this.output.flush();
    this.options.err(`kreg: ${text}\n`);
  }
  flush(): void {
    this.output.flush();
  }
  end(): void {
    if (!this.options.single) {
      const head = this.count === 0 ? LIST_OPEN : '\n    ';
      this.output.write(`${head}],\n    "kind": "List",\n    "metadata": {\n        "resourceVersion": "${this.options.revision}"\n    }\n}\n`);
    }
    this.output.flush();
  }
}

class NdjsonWriter implements ObjectWriter {
  private readonly render = itemRenderer('ndjson', false) as (item: PrintedObject) => string;
  private readonly output: BatchedOutput;
  constructor(private readonly options: WriterOptions) {
    this.output = new BatchedOutput(options.out);
  }
  write(item: PrintedObject): void {
    this.output.write(this.render(item));
  }
  writeRendered(text: string | Uint8Array): void {
    this.output.write(text);
  }
  writeStored(text: StoredText, entry: Entry): boolean {
    if (!text.write(entry, this.output.buffer, 0, 0)) return false;
    this.output.buffer.byte(0x0a);
    this.output.flushIfFull();
    return true;
  }
  note(text: string): void {
    this.output.flush();
    this.options.err(`kreg: ${text}\n`);
  }
  flush(): void {
    this.output.flush();
  }
  end(): void {
    this.output.flush();
  }
}

class NameWriter implements ObjectWriter {
  constructor(private readonly options: WriterOptions) {}
  write(item: PrintedObject): void {
    this.options.out(`${item.qualifiedName}\n`);
  }
  writeRendered(text: string | Uint8Array): void {
    // A worker's bytes are lent for the call: copied, as out() may hold on to them.
    this.options.out(typeof text === 'string' ? text : text.slice());
  }
  note(text: string): void {
    this.options.err(`kreg: ${text}\n`);
  }
  end(): void {}
}

interface TableGroup {
  printer: KindPrinter;
  namespaced: boolean;
  rows: { object: JsonObject; qualifiedName: string; etcd: PrintedObject['wide']; encrypted: string | undefined }[];
}

/**
 * kubectl's table: each kind's own columns (-o wide adds kubectl's wide ones), -L and
 * --show-labels columns, then SIZE ENCODING REVISION KEY with --show-etcd. Kinds print as
 * separate tables, in the order first seen, a blank line between them, as kubectl prints them.
 */
class TableWriter implements ObjectWriter {
  private readonly groups = new Map<string, TableGroup>();
  private readonly printers: Printers;
  constructor(
    private readonly options: WriterOptions,
    private readonly wide: boolean,
  ) {
    this.printers = new Printers(options.customResourceDefinitions ?? []);
  }
  write(item: PrintedObject): void {
    const slash = item.qualifiedName.indexOf('/');
    const id = slash < 0 ? item.qualifiedName : item.qualifiedName.slice(0, slash);
    let group = this.groups.get(id);
    if (group === undefined) {
      group = { printer: this.printers.for(item.encrypted?.type ?? item.object), namespaced: false, rows: [] };
      this.groups.set(id, group);
    }
    const metadata = item.object.metadata;
    if (metadata !== null && typeof metadata === 'object' && !Array.isArray(metadata) && typeof (metadata as JsonObject).namespace === 'string') group.namespaced = true;
    group.rows.push({ object: item.object, qualifiedName: item.qualifiedName, etcd: item.wide, encrypted: item.encrypted?.label });
  }
  writeRendered(): void {
    throw new Error('table output is not rendered in parts');
  }
  note(text: string): void {
    this.options.err(`kreg: ${text}\n`);
  }
  end(): void {
    if (this.groups.size === 0) {
      if (this.options.emptyMessage === '') return;
      this.options.err(`${this.options.emptyMessage ?? 'No resources found'}\n`);
      return;
    }
    const now = (this.options.now ?? new Date()).getTime();
    const labelColumns = this.options.labelColumns ?? [];
    let first = true;
    for (const group of this.groups.values()) {
      const shown = group.printer.columns.map((c, i) => ({ c, i })).filter(({ c }) => this.wide || c.wide !== true);
      const withNamespace = this.options.showNamespace && group.namespaced;
      const header: string[] = [];
      const eventType = this.options.eventType;
      if (eventType !== undefined) header.push('EVENT');
      if (withNamespace) header.push('NAMESPACE');
      header.push(...shown.map(({ c }) => c.header));
      header.push(...labelColumns.map((l) => (l.split('/').at(-1) ?? l).toUpperCase()));
      if (this.options.showLabels) header.push('LABELS');
      if (this.options.showEtcd) header.push('SIZE', 'ENCODING', 'REVISION', 'KEY');
      const rows = group.rows.map(({ object, qualifiedName, etcd, encrypted }) => {
        // An encrypted stand-in has only its name: every other column says how it is encrypted.
        const cells = encrypted === undefined ? group.printer.row(object, now, this.wide) : group.printer.columns.map((c) => (c.name === true ? stubName(object) : encrypted));
        const labels = labelsOf(object);
        const row: string[] = [];
        if (eventType !== undefined) row.push(eventType);
        if (withNamespace) row.push(typeof (object.metadata as JsonObject | undefined)?.namespace === 'string' ? ((object.metadata as JsonObject).namespace as string) : '');
        for (const { c, i } of shown) row.push(c.name === true && this.options.showKind ? qualifiedName : (cells[i] ?? ''));
        for (const l of labelColumns) row.push(labels[l] ?? '');
        if (this.options.showLabels) {
          const text = Object.keys(labels)
            .sort()
            .map((k) => `${k}=${labels[k]}`)
            .join(',');
          row.push(text === '' ? '<none>' : text);
        }
        if (this.options.showEtcd) row.push(String(etcd.size), etcd.encoding, String(etcd.revision), etcd.key);
        return row;
      });
      if (!first) this.options.out('\n');
      first = false;
      this.options.out(formatTable(this.options.noHeaders ? undefined : header, rows, { minWidth: KUBECTL_MIN_COLUMN_WIDTH }));
    }
  }
}

function stubName(object: JsonObject): string {
  const name = (object.metadata as JsonObject | undefined)?.name;
  return typeof name === 'string' ? name : '';
}

export function createObjectWriter(format: GetFormat, options: WriterOptions): ObjectWriter {
  switch (format) {
    case 'yaml':
      return new YamlWriter(options);
    case 'json':
      return new JsonWriter(options);
    case 'ndjson':
      return new NdjsonWriter(options);
    case 'name':
      return new NameWriter(options);
    case 'wide':
      return new TableWriter(options, true);
    case 'table':
      return new TableWriter(options, false);
  }
}
