/**
 * kreg get's -o jsonpath and -o custom-columns printers. Both keep what they need until the end:
 * a jsonpath template runs once over the whole List (as kubectl applies it), custom columns are
 * aligned over all rows. Failures are one line naming the template, as kubectl words them.
 */
import type { JsonObject } from '../codec/json-value.js';
import { KregError } from '../errors.js';
import { type CustomColumn, customColumnCells } from '../format/custom-columns.js';
import { executeJsonPath } from '../format/jsonpath/evaluate-jsonpath.js';
import { JsonPathError, type JsonPathTemplate } from '../format/jsonpath/parse-jsonpath.js';
import { formatTable } from '../format/table.js';
import { KUBECTL_MIN_COLUMN_WIDTH, type ObjectWriter, objectWithEtcd, type PrintedObject, type WriterOptions } from './object-writers.js';

/** -o jsonpath: the template over the one named object, else over a List of every object. */
export class JsonPathWriter implements ObjectWriter {
  private readonly items: JsonObject[] = [];
  constructor(
    private readonly options: WriterOptions,
    private readonly template: JsonPathTemplate,
    private readonly allowMissingKeys: boolean,
  ) {}
  write(item: PrintedObject): void {
    this.items.push(objectWithEtcd(item));
  }
  writeRendered(): void {
    throw new Error('jsonpath output is not rendered in parts');
  }
  note(text: string): void {
    this.options.err(`kreg: ${text}\n`);
  }
  end(): void {
    const [only] = this.items;
    const data: JsonObject =
      this.options.single && only !== undefined && this.items.length === 1 ? only : { apiVersion: 'v1', items: this.items, kind: 'List', metadata: { resourceVersion: String(this.options.revision) } };
    try {
      this.options.out(executeJsonPath(this.template, data, { allowMissingKeys: this.allowMissingKeys }));
    } catch (err) {
      if (err instanceof JsonPathError) throw new KregError('jsonpath-failed', `error executing jsonpath ${JSON.stringify(this.template.source)}: ${err.message}`);
      throw err;
    }
  }
}

/** -o custom-columns: one table for every object, headers as written, <none> for nothing found. */
export class CustomColumnsWriter implements ObjectWriter {
  private readonly rows: string[][] = [];
  constructor(
    private readonly options: WriterOptions,
    private readonly columns: readonly CustomColumn[],
  ) {}
  write(item: PrintedObject): void {
    try {
      this.rows.push(customColumnCells(this.columns, objectWithEtcd(item)));
    } catch (err) {
      if (err instanceof JsonPathError) throw new KregError('jsonpath-failed', `custom-columns on ${item.qualifiedName}: ${err.message}`, { key: item.wide.key });
      throw err;
    }
  }
  writeRendered(): void {
    throw new Error('custom-columns output is not rendered in parts');
  }
  note(text: string): void {
    this.options.err(`kreg: ${text}\n`);
  }
  end(): void {
    if (this.rows.length === 0) {
      this.options.err(`${this.options.emptyMessage ?? 'No resources found'}\n`);
      return;
    }
    const header = this.options.noHeaders ? undefined : this.columns.map((c) => c.header);
    this.options.out(formatTable(header, this.rows, { minWidth: KUBECTL_MIN_COLUMN_WIDTH }));
  }
}
