/**
 * Where a command's input and output go. The binary passes the process's own streams; tests run
 * the very same parser in-process with buffers, so no command touches `process` directly.
 */
import type { EntrySource } from '../sources/source.js';
import type { SourceArgs } from './options.js';

export interface OutputStream {
  /** Text or bytes; the stream keeps their order, and calls `written` (when given) once it is done with the chunk. */
  write(chunk: string | Uint8Array, written?: () => void): void;
  readonly isTTY: boolean;
  /** Terminal width, when the stream is a terminal. */
  readonly columns: number | undefined;
  /** The process's own terminal stream, for the spinner, which draws on it directly; absent in tests. */
  readonly terminal?: NodeJS.WriteStream;
  /**
   * A promise when the stream holds more than its buffer should (a pipe whose reader is slower than
   * kreg) that resolves once it has room again; undefined when there is room. Long listings wait on
   * it between objects, so that their memory stays bounded whatever reads the output.
   */
  ready?(): Promise<void> | undefined;
}

export interface InputStream {
  readonly isTTY: boolean;
  /** Everything until end of input. */
  readAll(): Promise<Uint8Array>;
}

export interface CliIo {
  readonly stdout: OutputStream;
  readonly stderr: OutputStream;
  readonly stdin: InputStream;
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** How a command will use the source it opens. */
export interface SourceOpening {
  /**
   * The command prints only once it has read everything (and calls source.settleChecks() first),
   * so a snapshot's sha256 trailer may be hashed alongside the reads instead of before them.
   */
  checksAlongside?: boolean;
}

/** The command's view of its run: where to read and write, and the exit code to end with. */
export interface CommandContext {
  readonly io: CliIo;
  /** Opens the entry source the flags name (tests put an in-memory source here). */
  readonly openSource: (args: SourceArgs, io: CliIo, opening?: SourceOpening) => Promise<EntrySource>;
  /** Set by handlers (kreg diff: 1 when objects differ); errors are turned into codes by main. */
  exitCode: number;
  /** --debug: stacks with errors, and which endpoint answered. */
  debug: boolean;
}

/** One `kreg: …` line on stderr, the form every warning and note takes. */
export function warn(io: CliIo, text: string): void {
  io.stderr.write(`kreg: ${text}\n`);
}

/** The real process streams, for bin/kreg.js. */
export function processIo(): CliIo {
  return {
    stdout: nodeOutput(process.stdout),
    stderr: nodeOutput(process.stderr),
    stdin: {
      get isTTY() {
        return process.stdin.isTTY === true;
      },
      async readAll() {
        const chunks: Buffer[] = [];
        for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
        return new Uint8Array(Buffer.concat(chunks));
      },
    },
    env: process.env,
  };
}

export function nodeOutput(stream: NodeJS.WriteStream): OutputStream {
  return {
    write: (chunk, written) => void stream.write(chunk, written),
    ready: () => (stream.writableNeedDrain && stream.writableLength > OUTPUT_SLACK_BYTES ? roomIn(stream) : undefined),
    get isTTY() {
      return stream.isTTY === true;
    },
    get columns() {
      return stream.isTTY === true ? stream.columns : undefined;
    },
    terminal: stream,
  };
}

/**
 * Output a stream may hold before a listing waits for it: far above a pipe's 16 KiB mark, so that
 * kreg does not stop after nearly every object (each wait is a round trip with the reader), and
 * small enough to keep memory bounded.
 */
const OUTPUT_SLACK_BYTES = 1024 * 1024;

/** Resolves when the stream drains, or can take no more writes (closed, failed: nothing to wait for). */
function roomIn(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      stream.off('drain', done);
      stream.off('close', done);
      stream.off('error', done);
      resolve();
    };
    stream.on('drain', done);
    stream.on('close', done);
    stream.on('error', done);
  });
}

/** Help fits the terminal (at most 120 columns); piped, a fixed 100. */
export function helpWidth(io: CliIo): number {
  return Math.min(120, io.stdout.columns ?? 100);
}
