/**
 * --sort-by: holds every object until the listing ends, then hands them to the real writer in
 * order. The one printer that needs the whole listing in memory, as kubectl's does.
 */
import { KregError } from '../errors.js';
import { JsonPathError, type JsonPathTemplate } from '../format/jsonpath/parse-jsonpath.js';
import { sortByJsonPath } from '../format/sort-objects.js';
import { type ObjectWriter, objectWithEtcd, type PrintedObject } from './object-writers.js';

export class SortingWriter implements ObjectWriter {
  private readonly items: PrintedObject[] = [];
  constructor(
    private readonly inner: ObjectWriter,
    private readonly sortBy: JsonPathTemplate,
  ) {}
  write(item: PrintedObject): void {
    this.items.push(item);
  }
  writeRendered(): void {
    throw new Error('sorted output is not rendered in parts');
  }
  note(text: string): void {
    this.inner.note(text);
  }
  end(): void {
    let sorted: PrintedObject[];
    try {
      sorted = sortByJsonPath(this.items, objectWithEtcd, this.sortBy);
    } catch (err) {
      if (err instanceof JsonPathError) throw new KregError('sort-failed', `--sort-by ${this.sortBy.source}: ${err.message}`);
      throw err;
    }
    for (const item of sorted) this.inner.write(item);
    this.inner.end();
  }
}
