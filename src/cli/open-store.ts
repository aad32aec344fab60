/**
 * What every reading command does first and last, done once: open the source the flags name, pin
 * the revision, learn the custom resources stored in it, say what could not be learned, and close.
 */
import type { ResourceRegistry } from '../keys/index.js';
import { EtcdPermissionError } from '../sources/etcd-errors.js';
import type { EntrySource } from '../sources/source.js';
import { learnRegistry, type LearnedRegistry } from '../stored-objects.js';
import { warn, type CommandContext } from './io.js';
import { openSource, type SourceArgs } from './options.js';

/** An open source, read at one revision, with the resources it defines. */
export interface Store {
  readonly source: EntrySource;
  /** The normalised --etcd-prefix. */
  readonly prefix: string;
  /** --revision, or the source's current revision when none was given: every read uses it. */
  readonly revision: number;
  readonly registry: ResourceRegistry;
  readonly learned: LearnedRegistry;
}

/** Runs `fn` with the store the flags name, closing it however `fn` ends. */
export async function withStore<T>(ctx: CommandContext, args: SourceArgs, fn: (store: Store) => Promise<T>): Promise<T> {
  const source = await openSource(args, ctx.io);
  try {
    for (const line of source.warnings ?? []) warn(ctx.io, line);
    const prefix = args['etcd-prefix'];
    const revision = args.revision ?? (await source.currentRevision());
    const learned = await learnFrom(ctx, source, prefix, revision);
    return await fn({ source, prefix, revision, registry: learned.registry, learned });
  } finally {
    await source.close();
  }
}

/**
 * The registry, saying on stderr what could not be learned and why. A user allowed to read only
 * some prefixes (an auditor's scoped etcd user) still gets the built-in resources.
 */
async function learnFrom(ctx: CommandContext, source: EntrySource, prefix: string, revision: number): Promise<LearnedRegistry> {
  let learned: LearnedRegistry;
  try {
    learned = await learnRegistry(source, prefix, revision);
  } catch (err) {
    if (!(err instanceof EtcdPermissionError)) throw err;
    warn(ctx.io, `${err.describe()}; custom resources are not known (built-in resources only)`);
    learned = await learnRegistry(undefined, prefix, revision);
  }
  for (const bad of learned.undecodable) warn(ctx.io, `${bad.key}: cannot learn from this definition: ${bad.reason}`);
  for (const skipped of learned.skipped) warn(ctx.io, describeSkipped(skipped));
  return learned;
}

function describeSkipped(skipped: LearnedRegistry['skipped'][number]): string {
  return `definition "${skipped.name}" not learned, its resources show as unknown: ${skipped.error.describe()}`;
}
