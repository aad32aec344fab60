/**
 * Entries from a live etcd. A listing streams page by page (never the whole range in memory),
 * every page read at the revision of the first one, so the listing is one point in time even
 * while others write; a dropped connection is retried and the listing resumes after the last key
 * it yielded, at the same revision.
 */
import { Buffer } from 'node:buffer';
import { connect as tlsConnect } from 'node:tls';
import { KregError, UsageError } from '../errors.js';
import { createEtcdClient, type EtcdClient, type EtcdClientOptions, type WatchStream } from './etcd-client.js';
import { describeEndpoints, type EtcdConnectionSettings } from './etcd-connection.js';
import type { DecodedEvent, DecodedKeyValue, DecodedRangePage, DecodedRangeResponse, DecodedWatchResponse, RangeRequest, ValueRead } from './etcd-messages.js';
import {
  EtcdMessageTooLargeError,
  EtcdUnavailableError,
  isTransientEtcdError,
  plainClientToTlsServerError,
  tlsClientToPlainServerError,
  toEtcdError,
  type EtcdErrorContext,
  type EtcdFailure,
} from './etcd-errors.js';
import {
  parseRevision,
  RevisionCompactedError,
  RevisionFutureError,
  type Entry,
  type EntrySource,
  type HistoryOptions,
  type HistoryRecord,
  type KeyHistory,
  type RangeOptions,
  type RevisionsOptions,
  type StoredRevision,
  type WatchEvent,
  type WatchOptions,
} from './source.js';
import { nextPageRange } from './etcd-page-range.js';
import { watchRevisions } from './etcd-revisions.js';
import { dropSpareMessageBuffer, recycleMessageBuffer } from './grpc-message-assembly.js';

/**
 * Keys per page, chosen by scripts/measure-etcd-paging.ts (100k keys of 1-7 KB, ~410 MB, local
 * etcd 3.4.23, 2 busy cores). A full listing took 7.9-8.8 s at 500 keys/page, 5.3-6.5 s at 1000,
 * 3.5-4.4 s at 2000, 3.2-3.6 s at 5000 and 3.2-3.7 s at 10000. Small pages are slow because etcd 3.4
 * walks its index over the whole rest of the range for every page (to count it), so a listing
 * costs ~N²/pageSize; past 5000 the client's decoding dominates and bigger pages only cost memory.
 * (A namespace larger than a page is now paged up to its own end: etcd-page-range.ts.)
 */
export const DEFAULT_CHUNK_SIZE = 5000;
/**
 * Soft bound on bytes per page (keys + values): the next page's key limit is adapted from the
 * average entry size seen so far, so a prefix of 1 MB values does not ask etcd for a GB-sized
 * response. 32 MiB lets typical Kubernetes objects (a few KB) use the full DEFAULT_CHUNK_SIZE.
 */
export const DEFAULT_CHUNK_BYTES = 32 * 1024 * 1024;
/** Entries handed out between turns of the event loop while the next page is on its way. */
const EVENT_LOOP_TURN_ENTRIES = 16;

/** The first page has no size estimate yet, so it asks for few keys (150 MB even at etcd's 1.5 MB value limit). */
export const FIRST_PAGE_KEYS = 100;
/**
 * At most this many keys on a listing's second page, asked for as soon as the first arrives: a
 * directory everyEntry opens ahead of its turn then holds two small pages (about 4 MB at 4 KB a
 * value), not a full one, while its later pages are still on their way before they are wanted.
 */
const SECOND_PAGE_KEYS = 1000;

/** How a page is retried after the connection drops or etcd has no leader. */
export interface EtcdRetryOptions {
  /** Retries of a page after the connection drops or etcd has no leader (not counting the first try); unbounded by default. */
  attempts?: number;
  /** Pause before the first retry; doubled for each further one. */
  initialDelayMs?: number;
  maxDelayMs?: number;
  /**
   * How long a page keeps being retried, from its first failure (60 s by default: a large member
   * takes 20-40 s to come back after a restart). 0 turns retries off.
   */
  windowMs?: number;
  /** Told before each wait, e.g. to show progress on stderr. */
  onRetry?: (error: EtcdFailure, waitedMs: number, windowMs: number) => void;
}

/** A run of failures of one page or watch: when the first came, and how many there were. */
interface RetryState {
  firstFailure?: number;
  attempt: number;
}

/** How an EtcdSource pages, retries and sizes its responses; every field is optional. */
export interface EtcdSourceOptions {
  /** Largest response accepted, in bytes; DEFAULT_MAX_RECEIVE_MESSAGE_BYTES when absent. */
  maxReceiveMessageBytes?: number;
  /** Most keys per page; DEFAULT_CHUNK_SIZE when absent. */
  chunkSize?: number;
  /** Target bytes per page (Infinity to page by key count only); DEFAULT_CHUNK_BYTES when absent. */
  chunkBytes?: number;
  retry?: EtcdRetryOptions;
}

const DEFAULT_RETRY: Required<EtcdRetryOptions> = { attempts: Number.POSITIVE_INFINITY, initialDelayMs: 200, maxDelayMs: 3_000, windowMs: 60_000, onRetry: () => undefined };
/** How long to wait for etcd to tell the compacted revision before giving up on it. */
const COMPACT_REVISION_LOOKUP_MS = 2_000;
/**
 * history: when a key is absent both at the compacted and at the current revision it may have
 * had no events at all, and etcd then says nothing; this long a silence after the watch is created
 * means "none" (etcd 3.4 sends a lagging watcher its old events every 100 ms).
 */
const HISTORY_QUIET_MS = 1_000;
/** history gives up when the old events have not all arrived within this (or the command timeout). */
const HISTORY_TIMEOUT_MS = 60_000;

/**
 * A live etcd behind the EntrySource interface.
 *
 * keysOnly: etcd 3.4 returns no value size with keys_only (the KeyValue message has no size
 * field), and the only way to learn it is to read the value, which is what keysOnly avoids. So a
 * keys-only entry has an empty value and valueSize -1, meaning "unknown".
 */
export class EtcdSource implements EntrySource {
  readonly description: string;
  readonly splitsListingsByPrefix = true;
  readonly interleavesReads = true;
  private readonly client: EtcdClient;
  private readonly endpoint: string;
  private readonly chunkSize: number;
  private readonly chunkBytes: number;
  private readonly retry: Required<EtcdRetryOptions>;
  /**
   * The first call dials and authenticates under the dial timeout; later calls reuse the
   * connection. It gives the revision etcd's answer to the dial was at.
   */
  private connected: Promise<number> | undefined;
  private closed = false;

  constructor(
    private readonly settings: EtcdConnectionSettings,
    options: EtcdSourceOptions = {},
  ) {
    this.endpoint = describeEndpoints(settings);
    this.description = `etcd ${this.endpoint}`;
    this.chunkSize = positiveInteger(options.chunkSize ?? DEFAULT_CHUNK_SIZE, 'chunk size', this.endpoint);
    this.chunkBytes = options.chunkBytes ?? DEFAULT_CHUNK_BYTES;
    if (!(this.chunkBytes > 0)) throw new UsageError('bad-flags', `chunk bytes must be positive, not ${this.chunkBytes}`, { endpoint: this.endpoint });
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    const clientOptions: EtcdClientOptions = {};
    if (options.maxReceiveMessageBytes !== undefined) clientOptions.maxReceiveMessageBytes = options.maxReceiveMessageBytes;
    this.client = createEtcdClient(settings, clientOptions);
  }

  /**
   * The endpoint (as given, e.g. "https://10.0.0.2:2379") that answered the last request that
   * reached etcd, for --debug; undefined before any did. With several endpoints, requests stay on
   * one that answers and move to the next when it cannot be reached.
   */
  answeredBy(): string | undefined {
    return this.client.answeredBy();
  }

  async *range(options: RangeOptions): AsyncGenerator<Entry, void, undefined> {
    for await (const batch of this.rangeBatches(options)) yield* batch;
  }

  /** range's entries a page's few at a time (EVENT_LOOP_TURN_ENTRIES), with a turn of the event loop between while the next page is on its way. */
  async *rangeBatches(options: RangeOptions): AsyncGenerator<readonly Entry[], void, undefined> {
    const { prefix } = options;
    const keysOnly = options.keysOnly === true;
    const valueRead: ValueRead = keysOnly ? 'none' : options.sizesOnly === true ? 'size' : options.borrowsValues === true ? 'view' : 'copy';
    let pinnedRevision = parseRevision(options.revision, { endpoint: this.endpoint, key: prefix });
    await this.ensureConnected(prefix);

    const prefixBytes = Buffer.from(prefix, 'utf8');
    // An empty key is invalid in etcd; "\0" to "\0" is its spelling of "every key".
    let startKey: Buffer = options.from !== undefined ? Buffer.from(options.from, 'utf8') : prefixBytes.length === 0 ? Buffer.from([0]) : prefixBytes;
    const rangeEnd = options.before !== undefined ? Buffer.from(options.before, 'utf8') : prefixRangeEnd(prefixBytes);
    // Where the page asked for ends: rangeEnd, or the end of a large segment (etcd-page-range.ts).
    let pageEnd = rangeEnd;
    let limit = Math.min(this.chunkSize, FIRST_PAGE_KEYS);
    let seenBytes = 0;
    let seenEntries = 0;

    // The next page is asked for as soon as this one arrives, so that etcd prepares it while this
    // one is decoded and printed (one page ahead: at most two pages of memory).
    type Fetched = { response: DecodedRangePage } | { error: unknown };
    const fetch = (request: RangeRequest): Promise<Fetched> =>
      this.fetchEntries(request, valueRead, { key: prefix, ...(pinnedRevision !== undefined ? { revision: pinnedRevision } : {}) }).then(
        (response) => ({ response }),
        (error: unknown) => ({ error }),
      );
    let ahead: { request: RangeRequest; fetched: Promise<Fetched> } | undefined;
    for (;;) {
      const request: RangeRequest = ahead?.request ?? { key: startKey, range_end: pageEnd, limit, revision: pinnedRevision ?? 0, keys_only: keysOnly };
      const fetched = await (ahead?.fetched ?? fetch(request));
      ahead = undefined;
      if ('error' in fetched) {
        const { error } = fetched;
        if (error instanceof EtcdMessageTooLargeError && (request.limit ?? 0) > 1) {
          // The byte estimate was off (values vary); ask for half as many keys and go on.
          limit = Math.max(1, Math.floor((request.limit ?? 0) / 2));
          continue;
        }
        if (error instanceof RevisionCompactedError && pinnedRevision !== undefined) {
          const whileListing = options.revision === undefined;
          throw await this.withCompactedRevision(error, pinnedRevision, request.key, rangeEnd, whileListing);
        }
        if (error instanceof RevisionFutureError && pinnedRevision !== undefined) throw await this.withCurrentRevision(error, pinnedRevision);
        throw error;
      }
      const { response } = fetched;
      pinnedRevision ??= Number(response.header?.revision ?? 0);

      const entries = response.entries;
      const next = nextPageRange(prefixBytes, rangeEnd, pageEnd, { firstKey: response.firstKey, lastKey: response.lastKey, more: response.more });
      // Not after the first page, unless the caller reads everything: callers that read a few keys
      // only (a directory's first key, the release's Nodes) stop there, and the next page would be
      // fetched for nothing.
      const firstPage = seenEntries === 0;
      if (next !== undefined) {
        seenBytes += response.bytes;
        seenEntries += entries.length;
        startKey = next.start;
        pageEnd = next.end;
        limit = nextPageLimit(this.chunkSize, this.chunkBytes, seenBytes, seenEntries, firstPage ? 1 : 2);
        if (!firstPage || options.readsAll === true) {
          const nextRequest: RangeRequest = { key: startKey, range_end: pageEnd, limit, revision: pinnedRevision, keys_only: keysOnly };
          ahead = { request: nextRequest, fetched: fetch(nextRequest) };
        }
      }
      for (let start = 0; start < entries.length; start += EVENT_LOOP_TURN_ENTRIES) {
        yield entries.length <= EVENT_LOOP_TURN_ENTRIES ? entries : entries.slice(start, start + EVENT_LOOP_TURN_ENTRIES);
        // grpc-js reads the socket on this thread: while a reader works through this page without a
        // turn of the event loop, the next page waits in the kernel and etcd is held back by flow control.
        if (ahead !== undefined) await new Promise(setImmediate);
      }
      // No entry handed out refers to the page (values were copied, or only lent until the next
      // batch was asked for), so its buffer can take the next page.
      const pageBuffer = response.firstKey?.buffer;
      if (pageBuffer !== undefined) recycleMessageBuffer(pageBuffer);
      if (next === undefined) return;
    }
  }

  async get(key: string, options: { revision?: number } = {}): Promise<Entry | undefined> {
    const revision = parseRevision(options.revision, { endpoint: this.endpoint, key });
    await this.ensureConnected(key);
    const keyBytes = Buffer.from(key, 'utf8');
    try {
      const response = await this.fetchPage({ key: keyBytes, revision: revision ?? 0 }, { key, ...(revision !== undefined ? { revision } : {}) });
      const kv = response.kvs[0];
      return kv === undefined ? undefined : toEntry(kv);
    } catch (error) {
      if (error instanceof RevisionCompactedError && revision !== undefined) {
        throw await this.withCompactedRevision(error, revision, keyBytes, undefined, false);
      }
      if (error instanceof RevisionFutureError && revision !== undefined) throw await this.withCurrentRevision(error, revision);
      throw error;
    }
  }

  async currentRevision(): Promise<number> {
    // Dialing asks etcd's Status too: a command's first question needs no second one (a round
    // trip less before every command's first answer, for an etcd far away).
    const dials = this.connected === undefined;
    const revisionAtDial = await this.ensureConnected(undefined);
    if (dials) return revisionAtDial;
    try {
      const status = await this.client.status();
      return Number(status.header?.revision ?? 0);
    } catch (raw) {
      throw this.convert(raw, { phase: 'request', timeoutMs: this.settings.commandTimeoutMs });
    }
  }

  /**
   * Every revision under the prefix etcd still holds, up to `revision`: each key's value at the
   * compacted revision (what compaction keeps), then every put and delete since, replayed by one
   * watch (see watchRevisions).
   */
  async *revisions(options: RevisionsOptions): AsyncGenerator<StoredRevision> {
    const requested = parseRevision(options.revision, { endpoint: this.endpoint, key: options.prefix });
    await this.ensureConnected(options.prefix);
    const current = await this.currentRevision();
    // A watch for revisions that do not exist yet would wait for them forever.
    if (requested !== undefined && requested > current) throw new RevisionFutureError(requested, current, { endpoint: this.endpoint, key: options.prefix });
    const revision = requested ?? current;
    const prefix = Buffer.from(options.prefix, 'utf8');
    const rangeEnd = prefixRangeEnd(prefix);
    const compacted = await this.compactedRevisionAt(options.prefix);
    if (revision < compacted) throw new RevisionCompactedError(revision, compacted, { endpoint: this.endpoint, key: options.prefix });
    if (compacted > 0) {
      for await (const entry of this.range({ prefix: options.prefix, revision: compacted })) yield { key: entry.key, modRevision: entry.modRevision, valueSize: entry.valueSize, deleted: false };
    }
    if (revision <= compacted) return;
    const newest = await this.fetchPage({ key: prefix, range_end: rangeEnd, revision, limit: 1, keys_only: true, sort_order: 'Descend', sort_target: 'Mod' }, { key: options.prefix, revision });
    const lastPutRevision = Number(newest.kvs[0]?.mod_revision ?? 0);
    const silenceMs = Number.isFinite(this.settings.commandTimeoutMs) ? this.settings.commandTimeoutMs : HISTORY_TIMEOUT_MS;
    yield* watchRevisions(this.client, {
      prefix,
      rangeEnd,
      startRevision: compacted + 1,
      revision,
      lastPutRevision,
      silenceMs,
      endpoint: this.endpoint,
      convert: (raw) => this.convert(raw, { phase: 'request', key: options.prefix, timeoutMs: this.settings.commandTimeoutMs }),
    });
  }

  async *leases(): AsyncGenerator<{ id: string }> {
    await this.ensureConnected(undefined);
    let response: Awaited<ReturnType<EtcdClient['leaseLeases']>>;
    try {
      response = await this.client.leaseLeases();
    } catch (raw) {
      throw this.convert(raw, { phase: 'request', timeoutMs: this.settings.commandTimeoutMs });
    }
    for (const lease of response.leases) yield { id: String(lease.ID) };
  }

  /**
   * etcd's watch, with the previous value of each key. A dropped connection is retried as a page
   * is (retryPause: the same attempts, window and onRetry), and the watch created again from the
   * revision after the last event it delivered, so no change is missed or repeated.
   */
  async *watch(options: WatchOptions): AsyncGenerator<WatchEvent, void, undefined> {
    await this.ensureConnected(options.prefix);
    const prefix = Buffer.from(options.prefix, 'utf8');
    const subject = { endpoint: this.endpoint, key: options.prefix };
    const pending: WatchEvent[] = [];
    let failure: unknown;
    let wake: (() => void) | undefined;
    const notify = (): void => {
      wake?.();
      wake = undefined;
    };
    let nextRevision = options.fromRevision;
    let stream: WatchStream | undefined;
    let retryTimer: NodeJS.Timeout | undefined;
    let failures: RetryState = { attempt: 0 };
    let stopped = false;
    const stopStream = (): void => {
      const current = stream;
      stream = undefined;
      current?.cancel();
    };
    const fail = (error: unknown): void => {
      failure ??= error;
      stopStream();
      notify();
    };
    const convert = (raw: unknown): EtcdFailure => this.convert(raw, { phase: 'request', key: options.prefix, timeoutMs: this.settings.commandTimeoutMs });
    // The stream broke (or etcd ended it): create the watch again after a pause, while within the retry window.
    const lost = (error: EtcdFailure): void => {
      stopStream();
      const pause = this.retryPause(error, failures);
      if (pause === undefined) {
        fail(error);
        return;
      }
      // A restarted etcd no longer knows the token the stream was created with.
      this.client.renewToken();
      retryTimer = setTimeout(() => void open(), pause);
    };
    const open = async (): Promise<void> => {
      if (stopped || failure !== undefined || options.signal?.aborted === true || this.closed) return;
      let opened: WatchStream;
      try {
        opened = await this.client.watch();
      } catch (raw) {
        lost(convert(raw));
        return;
      }
      stream = opened;
      opened.on('data', (response: DecodedWatchResponse) => {
        if (stream !== opened) return;
        if (Number(response.compact_revision) > 0) return fail(new RevisionCompactedError(nextRevision, Number(response.compact_revision), subject));
        if (response.canceled) return fail(convert(new Error(`etcd cancelled the watch: ${response.cancel_reason || 'no reason given'}`)));
        if (response.created) failures = { attempt: 0 };
        for (const { type, kv, prev_kv: previous } of response.events) {
          pending.push({ type: type === 'Put' ? 'put' : 'delete', entry: toEntry(kv), ...(previous === null ? {} : { previous: toEntry(previous) }) });
        }
        // Where to start again: after the last event; after a progress report's revision. Not after
        // the revision the creation reports: older events may still be on their way then.
        const last = response.events[response.events.length - 1];
        if (last !== undefined) nextRevision = Math.max(nextRevision, Number(last.kv.mod_revision) + 1);
        else if (!response.created) nextRevision = Math.max(nextRevision, Number(response.header?.revision ?? 0) + 1);
        if (response.events.length > 0) notify();
      });
      opened.on('error', (raw: unknown) => {
        if (stream === opened) lost(convert(raw));
      });
      opened.on('end', () => {
        if (stream === opened) lost(new EtcdUnavailableError('etcd-unavailable', 'cannot reach etcd: the watch stream ended', subject));
      });
      opened.write({ create_request: { key: prefix, range_end: prefixRangeEnd(prefix), start_revision: nextRevision, prev_kv: true } });
    };
    options.signal?.addEventListener('abort', notify, { once: true });
    await open();
    try {
      for (;;) {
        const next = pending.shift();
        if (next !== undefined) {
          yield next;
          continue;
        }
        if (failure !== undefined) throw failure;
        if (options.signal?.aborted === true) return;
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
      }
    } finally {
      options.signal?.removeEventListener('abort', notify);
      stopped = true;
      clearTimeout(retryTimer);
      stopStream();
    }
  }

  async leaseTimeToLive(lease: string): Promise<number | undefined> {
    if (lease === '0') return undefined;
    await this.ensureConnected(undefined);
    try {
      const response = await this.client.leaseTimeToLive({ ID: lease, keys: false });
      const ttl = Number(response.TTL);
      return ttl < 0 ? undefined : ttl;
    } catch (raw) {
      throw this.convert(raw, { phase: 'request', timeoutMs: this.settings.commandTimeoutMs });
    }
  }

  /**
   * Every revision of the key etcd still holds, oldest first: the value it had at the compacted
   * revision (if any), then each put and delete after it, read with a watch from compacted + 1
   * (a watch replays old events in revision order, deletes included, which ranges cannot show).
   * With `revision`, only records up to it. The watch ends once the events up to that revision
   * have arrived: at an event past it; at the key's mod revision there when it exists; when it
   * does not, at a batch that reaches the current revision and ends with a delete (or after a
   * short silence, when the key may have had no events at all).
   */
  async history(key: string, options: HistoryOptions = {}): Promise<KeyHistory> {
    const requested = parseRevision(options.revision, { endpoint: this.endpoint, key });
    await this.ensureConnected(key);
    const current = await this.currentRevision();
    if (requested !== undefined && requested > current) {
      throw new RevisionFutureError(requested, current, { endpoint: this.endpoint, key });
    }
    const revision = requested ?? current;
    const compactedRevision = await this.compactedRevisionAt(key);
    if (revision < compactedRevision) throw new RevisionCompactedError(revision, compactedRevision, { endpoint: this.endpoint, key });
    const baseline = compactedRevision > 0 ? await this.get(key, { revision: compactedRevision }) : undefined;
    const atRevision = await this.get(key, { revision });
    // Only needed to know whether events after `revision` are still to come.
    const now = revision === current ? atRevision : await this.get(key, { revision: current });
    const records: HistoryRecord[] = [];
    if (baseline !== undefined) records.push({ ...baseline, deleted: false });
    if (atRevision !== undefined && atRevision.modRevision <= compactedRevision) return { revision, compactedRevision, records };

    const keyBytes = Buffer.from(key, 'utf8');
    const done = (events: readonly DecodedEvent[], response: DecodedWatchResponse): boolean => {
      const last = events[events.length - 1];
      if (last === undefined) return false;
      // Events come in revision order: one past the bound means all up to it are here.
      if (Number(last.kv.mod_revision) > revision) return true;
      if (atRevision !== undefined) return Number(last.kv.mod_revision) >= atRevision.modRevision;
      if (now !== undefined) return false; // written again after the bound: wait for that event
      return Number(response.header?.revision ?? 0) >= current && last.type === 'Delete';
    };
    const quiet = atRevision === undefined && baseline === undefined && now === undefined;
    const events = await this.watchEvents(keyBytes, compactedRevision + 1, done, quiet);
    for (const event of events) {
      const modRevision = Number(event.kv.mod_revision);
      if (modRevision > revision) break;
      if (event.type === 'Delete') {
        records.push({ key, value: new Uint8Array(0), valueSize: 0, createRevision: 0, modRevision, version: 0, lease: '0', deleted: true });
      } else {
        records.push({ ...toEntry(event.kv), deleted: false });
      }
    }
    return { revision, compactedRevision, records };
  }

  /** The revision etcd has compacted up to (0 when none), found by asking for the oldest revision of `key`. */
  private async compactedRevisionAt(key: string): Promise<number> {
    try {
      await this.get(key, { revision: 1 });
      return 0;
    } catch (error) {
      if (!(error instanceof RevisionCompactedError) || error.compactedRevision === undefined) throw error;
      return error.compactedRevision;
    }
  }

  /** Events of one key from a revision on, until `done` says the wanted ones have arrived. */
  private async watchEvents(key: Buffer, startRevision: number, done: (events: readonly DecodedEvent[], response: DecodedWatchResponse) => boolean, endOnSilence: boolean): Promise<DecodedEvent[]> {
    let stream: WatchStream;
    try {
      stream = await this.client.watch();
    } catch (raw) {
      throw this.convert(raw, { phase: 'request', key: key.toString('utf8'), timeoutMs: this.settings.commandTimeoutMs });
    }
    const limitMs = Math.min(HISTORY_TIMEOUT_MS, Number.isFinite(this.settings.commandTimeoutMs) ? this.settings.commandTimeoutMs : HISTORY_TIMEOUT_MS);
    return new Promise<DecodedEvent[]>((resolve, reject) => {
      const events: DecodedEvent[] = [];
      let finished = false;
      let quietTimer: NodeJS.Timeout | undefined;
      const finish = (error?: unknown): void => {
        if (finished) return;
        finished = true;
        clearTimeout(limitTimer);
        clearTimeout(quietTimer);
        stream.cancel();
        if (error === undefined) resolve(events);
        else reject(error);
      };
      const limitTimer = setTimeout(
        () => finish(new KregError('history-timeout', `the history of the key did not arrive within ${limitMs} ms`, { endpoint: this.endpoint, key: key.toString('utf8') })),
        limitMs,
      );
      stream.on('data', (response: DecodedWatchResponse) => {
        if (Number(response.compact_revision) > 0) {
          finish(new RevisionCompactedError(startRevision, Number(response.compact_revision), { endpoint: this.endpoint, key: key.toString('utf8') }));
          return;
        }
        if (response.canceled) {
          finish(new KregError('watch-canceled', `etcd cancelled the watch: ${response.cancel_reason || 'no reason given'}`, { endpoint: this.endpoint, key: key.toString('utf8') }));
          return;
        }
        if (response.created && endOnSilence) quietTimer = setTimeout(() => finish(), HISTORY_QUIET_MS);
        if (response.events.length === 0) return;
        clearTimeout(quietTimer);
        events.push(...response.events);
        if (done(events, response)) finish();
        else if (endOnSilence) quietTimer = setTimeout(() => finish(), HISTORY_QUIET_MS);
      });
      stream.on('error', (raw: unknown) => finish(this.convert(raw, { phase: 'request', key: key.toString('utf8'), timeoutMs: this.settings.commandTimeoutMs })));
      stream.on('end', () => finish(new KregError('watch-ended', 'etcd ended the watch before the history arrived', { endpoint: this.endpoint, key: key.toString('utf8') })));
      stream.write({ create_request: { key, start_revision: startRevision } });
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.client.close();
    dropSpareMessageBuffer();
  }

  /**
   * Dials and authenticates once, bounded by the dial timeout, so an unreachable etcd or a wrong
   * password fails fast with its own error instead of as the first request's timeout.
   */
  private ensureConnected(key: string | undefined): Promise<number> {
    this.connected ??= this.dial(key).catch((error: unknown) => {
      this.connected = undefined; // let a later call try again
      throw error;
    });
    return this.connected;
  }

  private async dial(key: string | undefined): Promise<number> {
    const dialTimeoutMs = this.settings.dialTimeoutMs;
    const deadline = Number.isFinite(dialTimeoutMs) ? Date.now() + dialTimeoutMs : Infinity;
    try {
      // Status is cheap, needs no key permission, and goes through authentication first.
      const status = await this.client.status({ deadline });
      return Number(status.header?.revision ?? 0);
    } catch (raw) {
      const error = this.convert(raw, { phase: 'connect', timeoutMs: dialTimeoutMs, ...(key !== undefined ? { key } : {}) });
      if (error instanceof EtcdUnavailableError && this.settings.tls === undefined && !/connection refused/.test(error.message)) {
        // grpc only says "failed to connect" when http:// meets a TLS port; check which it was.
        const tlsEndpoint = await findTlsEndpoint(this.settings.endpoints);
        if (tlsEndpoint !== undefined) throw plainClientToTlsServerError(this.endpoint, key, raw);
      }
      if (error instanceof EtcdUnavailableError && this.settings.tls !== undefined && /ECONNRESET|socket hang up|before secure TLS/i.test(error.message)) {
        // A plain server may answer a ClientHello with a 400 (a clear TLS error) or just reset the
        // connection; in the second case, look before saying TLS is the cause.
        if ((await findTlsEndpoint(this.settings.endpoints)) === undefined) throw tlsClientToPlainServerError(this.endpoint, key, raw);
      }
      throw error;
    }
  }

  /** One range call, retried with backoff while etcd is unreachable or leaderless. */
  private fetchPage(request: RangeRequest, context: { key: string; revision?: number }): Promise<DecodedRangeResponse> {
    return this.retried(() => this.client.range(request), context);
  }

  /** A listing's page, as fetchPage asks for it, read straight into entries. */
  private fetchEntries(request: RangeRequest, read: ValueRead, context: { key: string; revision?: number }): Promise<DecodedRangePage> {
    return this.retried(() => this.client.rangePage(request, read), context);
  }

  /** The call's answer, asked again after a failure that may pass (see retryPause). */
  private async retried<T>(call: () => Promise<T>, context: { key: string; revision?: number }): Promise<T> {
    const failures: RetryState = { attempt: 0 };
    for (;;) {
      try {
        return await call();
      } catch (raw) {
        const error = this.convert(raw, { ...context, phase: 'request', timeoutMs: this.settings.commandTimeoutMs });
        const pause = this.retryPause(error, failures);
        if (pause === undefined) throw error;
        await sleep(pause);
      }
    }
  }

  /**
   * How long to wait before trying again after `error` (backoff from the retry options, told
   * through onRetry), or undefined to give up: an answer from etcd, too many attempts, past the
   * retry window since the first failure, or the source closed. Shared by pages and watches.
   */
  private retryPause(error: EtcdFailure, failures: RetryState): number | undefined {
    failures.firstFailure ??= Date.now();
    const waited = Date.now() - failures.firstFailure;
    const attempt = failures.attempt++;
    const pause = Math.min(this.retry.maxDelayMs, this.retry.initialDelayMs * 2 ** Math.min(attempt, 20));
    if (!isTransientEtcdError(error) || attempt >= this.retry.attempts || waited + pause > this.retry.windowMs || this.closed) return undefined;
    this.retry.onRetry(error, waited, this.retry.windowMs);
    return pause;
  }

  private convert(raw: unknown, context: Omit<EtcdErrorContext, 'endpoint'>): EtcdFailure {
    const full: EtcdErrorContext = { endpoint: this.endpoint, ...context };
    if (this.settings.auth !== undefined) full.user = this.settings.auth.user;
    return toEtcdError(raw, full);
  }

  /** The compacted error again, now with the revision etcd was compacted at (learned from a watch). */
  private async withCompactedRevision(error: RevisionCompactedError, requested: number, key: Uint8Array, rangeEnd: Buffer | undefined, whileListing: boolean): Promise<RevisionCompactedError> {
    const compacted = await this.findCompactedRevision(key, rangeEnd, requested);
    return new RevisionCompactedError(requested, compacted, { ...error.subject }, { cause: error.cause, whileListing });
  }

  /** The future-revision error again, now with etcd's current revision (undefined if that cannot be read either). */
  private async withCurrentRevision(error: RevisionFutureError, requested: number): Promise<RevisionFutureError> {
    const current = await this.currentRevision().catch(() => undefined);
    return new RevisionFutureError(requested, current, { ...error.subject }, { cause: error.cause });
  }

  /**
   * etcd 3.4 states the compacted revision nowhere in a range error; a watch started at the
   * requested revision is answered with it (compact_revision) and then cancelled.
   */
  private async findCompactedRevision(key: Uint8Array, rangeEnd: Buffer | undefined, revision: number): Promise<number | undefined> {
    let stream: WatchStream;
    try {
      stream = await this.client.watch();
    } catch {
      return undefined;
    }
    return new Promise((resolve) => {
      let done = false;
      const finish = (compacted: number | undefined): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        stream.cancel();
        resolve(compacted);
      };
      const timer = setTimeout(() => finish(undefined), COMPACT_REVISION_LOOKUP_MS);
      stream.on('data', (response: DecodedWatchResponse) => {
        const compacted = Number(response.compact_revision);
        if (compacted > 0) finish(compacted);
        else if (response.canceled) finish(undefined);
      });
      stream.on('error', () => finish(undefined));
      stream.on('end', () => finish(undefined));
      stream.write({ create_request: { key, ...(rangeEnd !== undefined ? { range_end: rangeEnd } : {}), start_revision: revision } });
    });
  }
}

/**
 * A source reading live etcd. Nothing is dialled until the first read, which connects and
 * authenticates under the dial timeout. Reads fail with EtcdError subclasses (EtcdUnavailableError,
 * EtcdTimeoutError, EtcdTlsError, EtcdAuthError, EtcdPermissionError, ...) naming the endpoint and
 * key, or with RevisionCompactedError / RevisionFutureError. Close it when done.
 *
 * @throws UsageError('bad-flags') at once for a chunk size that is not a positive integer.
 * @example
 *   const etcd = createEtcdSource(resolveEtcdConnection({}, process.env));
 *   for await (const entry of etcd.range({ prefix: '/registry/namespaces/', keysOnly: true })) console.log(entry.key);
 *   await etcd.close();
 */
export function createEtcdSource(settings: EtcdConnectionSettings, options: EtcdSourceOptions = {}): EtcdSource {
  return new EtcdSource(settings, options);
}

/** The smallest key above every key with this prefix; "\0" (no bound) when the prefix is all 0xff or empty. */
export function prefixRangeEnd(prefix: Uint8Array): Buffer {
  const end = Buffer.from(prefix);
  for (let index = end.length - 1; index >= 0; index--) {
    const byte = end[index] ?? 0xff;
    if (byte < 0xff) {
      end[index] = byte + 1;
      return end.subarray(0, index + 1);
    }
  }
  return Buffer.from([0]);
}

/**
 * Keys for the next page: as many as fit chunkBytes at the average entry size so far, within
 * [1, chunkSize], and at most SECOND_PAGE_KEYS right after the first page (`pagesRead` 1).
 */
export function nextPageLimit(chunkSize: number, chunkBytes: number, seenBytes: number, seenEntries: number, pagesRead = Number.POSITIVE_INFINITY): number {
  const ceiling = pagesRead === 1 ? Math.min(chunkSize, SECOND_PAGE_KEYS) : chunkSize;
  if (seenEntries === 0 || seenBytes === 0 || !Number.isFinite(chunkBytes)) return ceiling;
  const averageBytes = seenBytes / seenEntries;
  return Math.max(1, Math.min(ceiling, Math.floor(chunkBytes / averageBytes)));
}

/** A single key's entry, its value a view of the received message. */
function toEntry(kv: DecodedKeyValue): Entry {
  const value = kv.value;
  return {
    key: kv.key.toString('utf8'),
    // A plain Uint8Array, so callers never see Buffer's differing semantics.
    value: new Uint8Array(value.buffer, value.byteOffset, value.byteLength),
    valueSize: value.byteLength,
    createRevision: Number(kv.create_revision),
    modRevision: Number(kv.mod_revision),
    version: Number(kv.version),
    lease: String(kv.lease),
  };
}

function positiveInteger(value: number, what: string, endpoint: string): number {
  if (!Number.isSafeInteger(value) || value <= 0) throw new UsageError('bad-flags', `${what} must be a positive integer, not ${value}`, { endpoint });
  return value;
}

/** The first endpoint that completes (or is refused in) a TLS handshake, i.e. speaks TLS. */
async function findTlsEndpoint(endpoints: readonly string[]): Promise<string | undefined> {
  for (const endpoint of endpoints) {
    const url = new URL(endpoint);
    const speaksTls = await new Promise<boolean>((resolve) => {
      const socket = tlsConnect({ host: url.hostname, port: Number(url.port || 2379), rejectUnauthorized: false, ALPNProtocols: ['h2'] });
      const finish = (answer: boolean): void => {
        socket.destroy();
        resolve(answer);
      };
      socket.setTimeout(1_000, () => finish(false));
      socket.once('secureConnect', () => finish(true));
      // A TLS alert (e.g. "certificate required") is still a TLS server talking.
      socket.once('error', (error) => finish(/alert/i.test(error.message)));
    });
    if (speaksTls) return endpoint;
  }
  return undefined;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
