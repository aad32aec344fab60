/**
 * A spinner for long work, on stderr and only when stderr is a terminal, so that
 * `kreg get ... -o yaml | kubectl apply -f -` and CI logs stay clean. ora is loaded only then.
 */
import type { CliIo } from './io.js';

export interface Progress {
  /** The text is asked for only when shown: formatting counts (toLocaleString) costs ICU's start-up, 20 ms, even unseen. */
  update(text: () => string): void;
  stop(): void;
}

const SILENT: Progress = { update: () => undefined, stop: () => undefined };

export async function startProgress(io: CliIo, text: string): Promise<Progress> {
  // A terminal of no width (script(1) without a size) would make the spinner redraw endlessly.
  const stream = io.stderr.terminal;
  if (stream === undefined || !io.stderr.isTTY || !((io.stderr.columns ?? 0) > 0)) return SILENT;
  const { default: ora } = await import('ora');
  // discardStdin would put the terminal in raw mode, and Ctrl-C would then stop nothing.
  const spinner = ora({ text, stream, discardStdin: false }).start();
  return {
    update: (text) => {
      spinner.text = text();
    },
    stop: () => spinner.stop(),
  };
}
