/** kreg get's printing of entries: decode, select, and hand to the writer (on worker threads for listings). */
import type { DecodeEntryOptions } from '../stored-objects.js';
import type { JsonObject } from '../codec/json-value.js';
import type { KregError } from '../errors.js';
import type { ResourceRegistry } from '../keys/index.js';
import { leaseIdHex, type Entry, type EntrySource } from '../sources/source.js';
import { labelsOf, matchesFields, matchesLabels } from '../format/selectors.js';
import type { ObjectWriter } from './object-writers.js';
import { entryToPrinted } from './render-entry.js';
import { RENDERED_NOTHING, RENDERED_STUB, RenderPool } from './render-pool.js';
import type { RenderWorkerSetup } from './render-worker.js';
import { startProgress } from './progress.js';
import type { ServedShape } from './served-shape.js';
import type { CliIo } from './io.js';
import type { GetArgs } from './get-args.js';
import type { Selection } from './get-selection.js';
import type { StoredText } from './stored-text.js';

/**
 * Decodes entries and hands them to the writer; a value that cannot be shown becomes a note.
 * Listings in a streaming format are decoded and rendered on worker threads, in order.
 */
export class EntryPrinter {
  failures = 0;
  /** Objects handed to the writer. */
  shown = 0;
  /** Encrypted values listed as stand-ins because no keys were given (not failures: one hint says so). */
  encryptedStubs = 0;
  /** Encrypted stand-ins left out because a selector needs what only decrypting would show. */
  encryptedUnselected = 0;
  /** Named objects or keys that do not exist: said after the others are printed, as kubectl does. */
  readonly missing: KregError[] = [];
  /** The shape the API serves for the resource being read, when it is not the stored one (events.k8s.io). */
  servedAs: ServedShape | undefined;
  /** Attach kreg encode's storage record to the objects (one object printed as YAML or JSON). */
  carryStorage = false;
  /**
   * Awaited once, before the first object is printed: the source's checks that ran alongside the
   * reads so far (a snapshot's sha256 trailer), whose verdict must come before any output.
   */
  beforeOutput: (() => Promise<void>) | undefined;
  /**
   * -o json/ndjson/yaml without selectors or --show-etcd (yaml: a listing): objects are written
   * straight from their stored bytes when the writer can (see stored-text.ts).
   */
  storedText: StoredText | undefined;
  private readonly leaseTtls = new Map<string, Promise<number | undefined>>();
  private pool: RenderPool | undefined;

  constructor(
    private readonly io: CliIo,
    private readonly writer: ObjectWriter,
    private readonly registry: ResourceRegistry,
    private readonly prefix: string,
    private readonly args: GetArgs,
    private readonly source: EntrySource,
    private readonly workerSetup: RenderWorkerSetup | undefined,
    private readonly selection: Selection,
    /** The yaml: etcd section of --show-etcd; tables show the facts as columns instead. */
    private readonly etcdSection: boolean,
    private readonly decodeOptions: DecodeEntryOptions = {},
  ) {}

  /**
   * Whether a listing may lend this printer its values (RangeOptions.borrowsValues): each entry is
   * printed, decoded into an object that holds none of its bytes, or copied into a worker
   * thread's batch, before the next is asked for.
   */
  get borrowsValues(): boolean {
    return true;
  }

  /** Prints the entries of a listing, handed out a few at a time (EntrySource.rangeBatches). */
  async printAll(batches: AsyncIterable<readonly Entry[]>, what: string): Promise<void> {
    const progress = await startProgress(this.io, `reading ${what}`);
    if (this.workerSetup !== undefined) {
      this.pool ??= new RenderPool(this.workerSetup, this.args.workers ?? RenderPool.defaultSize(), (shown, text, note) => {
        if (note !== undefined) this.noteFailure(note);
        if (shown === RENDERED_NOTHING) return;
        if (shown === RENDERED_STUB && note === undefined) this.encryptedStubs++;
        this.shown++;
        this.writer.writeRendered(text);
      });
    }
    let n = 0;
    try {
      for await (const batch of batches) {
        for (const entry of batch) {
          if (this.beforeOutput !== undefined) await this.checkedBeforeOutput();
          if (this.pool !== undefined) await this.pool.add(entry);
          // Most entries are written straight from their stored bytes, with nothing to wait for.
          else if (this.decodeOptions.decryptor?.usesKms !== true) {
            if (!this.printedStored(entry)) await this.print(entry, true);
          } else await this.print(entry);
          // A slow reader of the output (a pipe) holds the listing back instead of filling memory;
          // stderr too, which carries a line per value that cannot be shown.
          const room = this.io.stdout.ready?.() ?? this.io.stderr.ready?.();
          if (room !== undefined) await room;
          if (++n % 1000 === 0) progress.update(() => `reading ${what}: ${n.toLocaleString('en-US')} keys`);
        }
      }
      await this.pool?.finish();
    } finally {
      progress.stop();
      this.writer.flush?.();
    }
  }

  async close(): Promise<void> {
    this.writer.flush?.();
    await this.pool?.close();
  }

  private noteFailure(note: string): void {
    this.failures++;
    this.writer.note(note);
  }

  private async checkedBeforeOutput(): Promise<void> {
    const check = this.beforeOutput;
    this.beforeOutput = undefined;
    await check?.();
  }

  /** Writes the entry's object straight from its stored bytes when the writer can (see StoredText); false, nothing written, when it must be decoded. */
  private printedStored(entry: Entry): boolean {
    if (this.storedText === undefined || this.servedAs !== undefined || this.writer.writeStored?.(this.storedText, entry) !== true) return false;
    this.shown++;
    return true;
  }

  /** Prints the entry; `storedTried`: printedStored was asked already (and refused). */
  async print(entry: Entry, storedTried = false): Promise<void> {
    // Per entry on the main thread: await only when there is something to wait for.
    if (this.beforeOutput !== undefined) await this.checkedBeforeOutput();
    const decryptor = this.decodeOptions.decryptor;
    if (decryptor?.usesKms === true) await decryptor.prepare(entry.value);
    if (!storedTried && this.printedStored(entry)) return;
    const rendered = entryToPrinted(
      entry,
      this.registry,
      this.prefix,
      { showSecrets: this.args['show-secrets'], showManagedFields: this.args['show-managed-fields'], carryStorage: this.carryStorage && this.servedAs === undefined },
      this.decodeOptions,
    );
    if (rendered.note !== undefined) this.noteFailure(rendered.note);
    if (rendered.item === undefined) return;
    const { item } = rendered;
    if (rendered.stub === true) {
      // Its labels and fields are encrypted: whether it matches a selector cannot be told.
      if (this.selection.labels.length > 0 || this.selection.fields.length > 0) {
        this.encryptedUnselected++;
        return;
      }
      if (rendered.note === undefined) this.encryptedStubs++;
    } else if (!matchesLabels(this.selection.labels, labelsOf(item.object)) || !matchesFields(this.selection.fields, item.object)) return;
    if (this.servedAs !== undefined && rendered.stub !== true) {
      const name = item.qualifiedName.slice(item.qualifiedName.indexOf('/') + 1);
      item.qualifiedName = `${this.servedAs.qualifiedResource}/${name}`;
      // Tables print both groups' Events with the one printer, from the stored object, as kube-apiserver does.
      if (this.etcdSection) item.object = this.servedAs.convert(item.object);
    }
    if (this.args['show-etcd'] && this.etcdSection) item.etcd = await this.etcdFacts(entry, item.wide.encoding);
    this.shown++;
    this.writer.write(item);
  }

  private async etcdFacts(entry: Entry, encoding: string): Promise<JsonObject> {
    const facts: JsonObject = {
      key: entry.key,
      createRevision: entry.createRevision,
      modRevision: entry.modRevision,
      version: entry.version,
      lease: leaseIdHex(entry.lease),
      valueSize: entry.valueSize,
      encoding,
    };
    if (entry.lease !== '0' && this.source.leaseTimeToLive !== undefined) {
      let ttl = this.leaseTtls.get(entry.lease);
      if (ttl === undefined) {
        ttl = this.source.leaseTimeToLive(entry.lease);
        this.leaseTtls.set(entry.lease, ttl);
      }
      const seconds = await ttl;
      facts.leaseTTLSeconds = seconds ?? null;
    }
    return facts;
  }
}
