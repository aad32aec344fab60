/**
 * Every revision live etcd still holds under a prefix, from one watch: a watch started at the
 * compacted revision + 1 replays each put and delete since, in revision order. etcd says nothing
 * when the replay is over, so progress is asked for (WatchProgressRequest): from etcd 3.4.24 and
 * 3.5.8 it is answered only once the watcher has caught up, after every older event, so an answer
 * at or above the revision wanted means nothing up to it is still to come. Older servers answer
 * at once (etcd-io/etcd#15220), so an answer counts only once the newest put under the prefix
 * (`lastPutRevision`, known from a range) has arrived: there, only deletes after that last put
 * can still be missed.
 */
import { Buffer } from 'node:buffer';
import { KregError } from '../errors.js';
import type { EtcdClient, WatchStream } from './etcd-client.js';
import type { DecodedWatchResponse } from './etcd-messages.js';
import { RevisionCompactedError, type StoredRevision } from './source.js';

/** How often progress is asked for while the replay runs. */
const PROGRESS_EVERY_MS = 200;
/**
 * Revisions queued for the reader before the watch is paused, and down to which it drains before
 * it resumes: etcd replays far faster than a reader takes revisions, and without a pause every
 * response (values included) piled up in memory, ~500 MB at 100k keys. Paused, gRPC stops asking
 * for messages and HTTP/2 flow control holds etcd back.
 */
const PAUSE_AT = 8192;
const RESUME_AT = 1024;

export interface WatchRevisionsOptions {
  prefix: Buffer;
  rangeEnd: Buffer;
  /** The first revision to replay (the compacted revision + 1). */
  startRevision: number;
  /** The last revision wanted. */
  revision: number;
  /** The highest mod revision of a key under the prefix at `revision` (0 when none): its event must arrive before an answer to a progress request counts. */
  lastPutRevision: number;
  /** Longest silence from etcd before giving up (the command timeout). */
  silenceMs: number;
  endpoint: string;
  /** Turns a raw gRPC error into kreg's error for it. */
  convert: (raw: unknown) => unknown;
}

/** Each put and delete under the prefix from startRevision to revision, in revision order, values not kept. */
export async function* watchRevisions(client: EtcdClient, options: WatchRevisionsOptions): AsyncGenerator<StoredRevision> {
  let stream: WatchStream;
  try {
    stream = await client.watch();
  } catch (raw) {
    throw options.convert(raw);
  }
  const subject = { endpoint: options.endpoint, key: options.prefix.toString('utf8') };
  // Responses are queued here and taken by the generator; `wake` resumes it when one arrives.
  const queue: StoredRevision[] = [];
  let ended = false;
  let failure: unknown;
  let wake: (() => void) | undefined;
  let silence: NodeJS.Timeout | undefined;
  let lastPutSeen = options.lastPutRevision < options.startRevision;
  let paused = false;
  const stop = (error?: unknown): void => {
    if (ended) return;
    ended = true;
    failure = error;
    clearInterval(progress);
    clearTimeout(silence);
    stream.cancel();
    wake?.();
  };
  const armSilence = (): void => {
    clearTimeout(silence);
    silence = setTimeout(() => stop(new KregError('history-timeout', `etcd sent nothing for ${options.silenceMs} ms while replaying past revisions`, subject)), options.silenceMs);
  };
  const progress = setInterval(() => {
    if (!ended) stream.write({ progress_request: {} });
  }, PROGRESS_EVERY_MS);
  stream.on('data', (response: DecodedWatchResponse) => {
    armSilence();
    if (Number(response.compact_revision) > 0) return stop(new RevisionCompactedError(options.startRevision, Number(response.compact_revision), subject));
    if (response.canceled) return stop(new KregError('watch-canceled', `etcd cancelled the watch: ${response.cancel_reason || 'no reason given'}`, subject));
    if (response.events.length === 0) {
      // Not the answer to the create: a progress notification, sent only once caught up.
      if (!response.created && lastPutSeen && Number(response.header?.revision ?? 0) >= options.revision) stop();
      return;
    }
    for (const event of response.events) {
      const modRevision = Number(event.kv.mod_revision);
      if (modRevision > options.revision) return stop();
      if (modRevision >= options.lastPutRevision) lastPutSeen = true;
      const deleted = event.type === 'Delete';
      queue.push({ key: Buffer.from(event.kv.key).toString('utf8'), modRevision, valueSize: deleted ? 0 : Buffer.byteLength(event.kv.value), deleted });
    }
    if (!paused && queue.length >= PAUSE_AT) {
      paused = true;
      // etcd is not silent while the reader catches up: the silence is timed again on resume.
      clearTimeout(silence);
      stream.pause();
    }
    wake?.();
  });
  stream.on('error', (raw: unknown) => stop(options.convert(raw)));
  stream.on('end', () => stop(new KregError('watch-ended', 'etcd ended the watch before the past revisions arrived', subject)));
  armSilence();
  // Fragments: etcd otherwise sends a batch of revisions as one response, however large (a
  // thousand revisions of many keys each can be hundreds of MB), and pausing cannot split it.
  stream.write({ create_request: { key: options.prefix, range_end: options.rangeEnd, start_revision: options.startRevision, fragment: true } });
  try {
    for (;;) {
      while (queue.length > 0) {
        yield queue.shift() as StoredRevision;
        if (paused && !ended && queue.length <= RESUME_AT) {
          paused = false;
          armSilence();
          stream.resume();
        }
      }
      if (ended) break;
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
      wake = undefined;
    }
    while (queue.length > 0) yield queue.shift() as StoredRevision;
    if (failure !== undefined) throw failure;
  } finally {
    stop();
  }
}
