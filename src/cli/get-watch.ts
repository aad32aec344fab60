/**
 * kreg get -w, --watch-only and --output-watch-events, as kubectl: the listing (a table, or each
 * object as its own document), then one row or document per change from the revision after the
 * listing's, DELETED ones showing the object as it was. A dropped connection is resumed by the
 * source from the last revision seen; the watch runs until the process is stopped.
 */
import { UsageError } from '../errors.js';
import { keyForEntry } from '../keys/index.js';
import type { Entry, EntrySource, WatchEvent } from '../sources/source.js';
import type { ObjectWriter, PrintedObject } from './object-writers.js';
import type { Target } from './get-targets.js';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** The one listing or object a watch follows (kubectl watches one resource collection or one object). */
export function watchedTarget(targets: readonly Target[], source: EntrySource): Extract<Target, { kind: 'list' | 'names' }> {
  const [target] = targets;
  if (targets.length !== 1 || target === undefined || (target.kind !== 'list' && target.kind !== 'names') || (target.kind === 'names' && target.names.length !== 1)) {
    throw new UsageError('bad-watch', `watch is only supported on individual resources and resource collections, but ${targets.length} resources were found`);
  }
  if (source.watch === undefined) throw new UsageError('bad-watch', `${source.description} does not change: -w needs a live etcd (--endpoints)`);
  return target;
}

/** The keys a watch reads: the listing's prefix, or the one object's key. */
function watchedKeys(target: Extract<Target, { kind: 'list' | 'names' }>, prefix: string): { prefix: string; exact: boolean } {
  if (target.kind === 'list') return { prefix: keyForEntry(target.resource, target.namespace === undefined ? {} : { namespace: target.namespace }, prefix), exact: false };
  const name = target.names[0] as string;
  return { prefix: keyForEntry(target.resource, target.namespace === undefined ? { name } : { namespace: target.namespace, name }, prefix), exact: true };
}

/** What one change shows: the object after a put, the object before a delete (at the delete's revision); undefined when etcd no longer had it. */
function changeToShow(event: WatchEvent): { type: WatchEventType; entry: Entry } | undefined {
  if (event.type === 'put') return { type: event.entry.version === 1 ? 'ADDED' : 'MODIFIED', entry: event.entry };
  if (event.previous === undefined) return undefined;
  return { type: 'DELETED', entry: { ...event.previous, modRevision: event.entry.modRevision } };
}

/**
 * Writes each object as a document of its own (kubectl's watch output in yaml, json, name,
 * jsonpath...): YAML documents separated by ---, and with --output-watch-events each object
 * wrapped as kubectl's WatchEvent {type, object}.
 */
export class DocumentPerObjectWriter implements ObjectWriter {
  private count = 0;
  eventType: WatchEventType | undefined;
  constructor(
    private readonly single: () => ObjectWriter,
    private readonly yamlSeparators: boolean,
    private readonly out: (text: string) => void,
    private readonly err: (text: string) => void,
  ) {}
  write(item: PrintedObject): void {
    if (this.yamlSeparators && this.count > 0) this.out('---\n');
    this.count++;
    const writer = this.single();
    writer.write(this.eventType === undefined ? item : { ...item, object: { type: this.eventType, object: item.object } });
    writer.end();
  }
  writeRendered(): void {
    throw new Error('watch output is not rendered in parts');
  }
  note(text: string): void {
    this.err(`kreg: ${text}\n`);
  }
  end(): void {}
}

/** Follows the target's keys from a revision on, handing each change to `print`, until the source's watch ends. */
export async function followChanges(
  source: EntrySource,
  target: Extract<Target, { kind: 'list' | 'names' }>,
  prefix: string,
  fromRevision: number,
  print: (entry: Entry, type: WatchEventType) => Promise<void>,
): Promise<void> {
  const watched = watchedKeys(target, prefix);
  const changes = (source.watch as NonNullable<EntrySource['watch']>).call(source, { prefix: watched.prefix, fromRevision });
  for await (const event of changes) {
    if (watched.exact && event.entry.key !== watched.prefix) continue;
    const change = changeToShow(event);
    if (change !== undefined) await print(change.entry, change.type);
  }
}
