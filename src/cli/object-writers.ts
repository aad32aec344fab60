/**
 * Printers for `kreg get`, one per output format, all streaming: a List is written item by item
 * so a listing of millions of objects never sits in memory (only the table formats keep their
 * rows, to align columns as kubectl does). Notes about values that could not be shown go where
 * they do not break the output: as YAML comments, or on stderr.
 */
import type { JsonObject } from '../codec/json-value.js';
import { formatJson, formatYaml } from '../format/object-text.js';
import { formatTable } from '../format/table.js';

export const GET_FORMATS = ['yaml', 'json', 'name', 'wide', 'ndjson'] as const;
export type GetFormat = (typeof GET_FORMATS)[number] | 'table';

export interface PrintedObject {
  object: JsonObject;
  /** kubectl's resource/name form, e.g. deployment.apps/web. */
  qualifiedName: string;
  /** Extra columns for -o wide. */
  wide: { size: number; encoding: string; revision: number; key: string };
  kind: string;
}

export interface ObjectWriter {
  write(item: PrintedObject): void;
  /** Text made by renderItem (perhaps in a worker thread), for the streaming formats. */
  writeRendered(text: string): void;
  /** A value that could not be shown: one line naming the key and the reason. */
  note(text: string): void;
  end(): void;
}

export interface WriterOptions {
  /** A single named object prints as itself; anything else is a List, as kubectl does. */
  single: boolean;
  /** The revision the listing was read at, for the List's metadata.resourceVersion. */
  revision: number;
  showNamespace: boolean;
  showKind: boolean;
  out: (text: string) => void;
  err: (text: string) => void;
  now?: Date;
}

function indent(text: string, first: string, rest: string): string {
  const lines = text.replace(/\n$/, '').split('\n');
  return lines.map((line, i) => (i === 0 ? first : rest) + line).join('\n') + '\n';
}

function listFooterYaml(revision: number): string {
  return `kind: List\nmetadata:\n  resourceVersion: "${revision}"\n`;
}

/**
 * How one item is written in a streaming format, as a pure function of the item: the part of
 * printing that can run in a worker thread. Table formats align columns over all rows, so they have none.
 */
export function itemRenderer(format: GetFormat, single: boolean): ((item: PrintedObject) => string) | undefined {
  switch (format) {
    case 'yaml':
      return single ? (item) => formatYaml(item.object) : (item) => indent(formatYaml(item.object), '- ', '  ');
    case 'json':
      return single ? (item) => `${formatJson(item.object)}\n` : (item) => indent(formatJson(item.object), '        ', '        ').replace(/\n$/, '');
    case 'ndjson':
      return (item) => `${formatJson(item.object, 0)}\n`;
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
  constructor(private readonly options: WriterOptions) {
    this.render = itemRenderer('yaml', options.single) as (item: PrintedObject) => string;
  }
  write(item: PrintedObject): void {
    this.writeRendered(this.render(item));
  }
  writeRendered(text: string): void {
    if (!this.options.single && this.count++ === 0) this.options.out('apiVersion: v1\nitems:\n');
    this.options.out(text);
  }
  note(text: string): void {
    this.options.out(`# kreg: ${text}\n`);
  }
  end(): void {
    if (this.options.single) return;
    if (this.count === 0) this.options.out('apiVersion: v1\nitems: []\n');
    this.options.out(listFooterYaml(this.options.revision));
  }
}

class JsonWriter implements ObjectWriter {
  private count = 0;
  private readonly render: (item: PrintedObject) => string;
  constructor(private readonly options: WriterOptions) {
    this.render = itemRenderer('json', options.single) as (item: PrintedObject) => string;
  }
  write(item: PrintedObject): void {
    this.writeRendered(this.render(item));
  }
  writeRendered(text: string): void {
    if (this.options.single) this.options.out(text);
    else this.options.out(`${this.count++ === 0 ? '{\n    "apiVersion": "v1",\n    "items": [\n' : ',\n'}${text}`);
  }
  note(text: string): void {
    this.options.err(`kreg: ${text}\n`);
  }
  end(): void {
    if (this.options.single) return;
    const head = this.count === 0 ? '{\n    "apiVersion": "v1",\n    "items": [' : '\n    ';
    this.options.out(`${head}],\n    "kind": "List",\n    "metadata": {\n        "resourceVersion": "${this.options.revision}"\n    }\n}\n`);
  }
}

class NdjsonWriter implements ObjectWriter {
  private readonly render = itemRenderer('ndjson', false) as (item: PrintedObject) => string;
  constructor(private readonly options: WriterOptions) {}
  write(item: PrintedObject): void {
    this.options.out(this.render(item));
  }
  writeRendered(text: string): void {
    this.options.out(text);
  }
  note(text: string): void {
    this.options.err(`kreg: ${text}\n`);
  }
  end(): void {}
}

class NameWriter implements ObjectWriter {
  constructor(private readonly options: WriterOptions) {}
  write(item: PrintedObject): void {
    this.options.out(`${item.qualifiedName}\n`);
  }
  writeRendered(text: string): void {
    this.options.out(text);
  }
  note(text: string): void {
    this.options.err(`kreg: ${text}\n`);
  }
  end(): void {}
}

/** kubectl's short ages: 45s, 5m30s, 3h, 2d4h, 400d. */
export function humanAge(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '<unknown>';
  const s = Math.floor(seconds);
  const m = Math.floor(s / 60);
  const h = Math.floor(m / 60);
  const d = Math.floor(h / 24);
  if (s < 120) return `${s}s`;
  if (m < 10) return s % 60 === 0 ? `${m}m` : `${m}m${s % 60}s`;
  if (h < 3) return `${m}m`;
  if (h < 8) return m % 60 === 0 ? `${h}h` : `${h}h${m % 60}m`;
  if (h < 48) return `${h}h`;
  if (d < 8) return h % 24 === 0 ? `${d}d` : `${d}d${h % 24}h`;
  if (d < 365 * 2) return `${d}d`;
  const y = Math.floor(d / 365);
  return d % 365 === 0 ? `${y}y` : `${y}y${d % 365}d`;
}

class TableWriter implements ObjectWriter {
  private readonly rows: string[][] = [];
  constructor(
    private readonly options: WriterOptions,
    private readonly wide: boolean,
  ) {}
  write(item: PrintedObject): void {
    const metadata = (item.object.metadata ?? {}) as JsonObject;
    const created = typeof metadata.creationTimestamp === 'string' ? Date.parse(metadata.creationTimestamp) : NaN;
    const now = (this.options.now ?? new Date()).getTime();
    const row: string[] = [];
    if (this.options.showNamespace) row.push(typeof metadata.namespace === 'string' ? metadata.namespace : '');
    row.push(this.options.showKind ? item.qualifiedName : typeof metadata.name === 'string' ? metadata.name : '');
    row.push(Number.isNaN(created) ? '<unknown>' : humanAge((now - created) / 1000));
    if (this.wide) row.push(String(item.wide.size), item.wide.encoding, String(item.wide.revision), item.wide.key);
    this.rows.push(row);
  }
  writeRendered(): void {
    throw new Error('table output is not rendered in parts');
  }
  note(text: string): void {
    this.options.err(`kreg: ${text}\n`);
  }
  end(): void {
    if (this.rows.length === 0) {
      this.options.err('No resources found.\n');
      return;
    }
    const header: string[] = [];
    if (this.options.showNamespace) header.push('NAMESPACE');
    header.push('NAME', 'AGE');
    if (this.wide) header.push('SIZE', 'ENCODING', 'REVISION', 'KEY');
    this.options.out(formatTable(header, this.rows));
  }
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
