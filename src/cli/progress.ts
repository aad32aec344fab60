/**
 * A spinner for long work, on stderr and only when stderr is a terminal, so that
 * `kreg get ... -o yaml | kubectl apply -f -` and CI logs stay clean. ora is loaded only then.
 */
import type { CliIo } from './io.js';

export interface Progress {
  update(text: string): void;
  stop(): void;
}

const SILENT: Progress = { update: () => undefined, stop: () => undefined };

export async function startProgress(io: CliIo, text: string): Promise<Progress> {
  if (!io.stderr.isTTY) return SILENT;
  const { default: ora } = await import('ora');
  // discardStdin would put the terminal in raw mode, and Ctrl-C would then stop nothing.
  const spinner = ora({ text, stream: process.stderr, discardStdin: false }).start();
  return {
    update: (t) => {
      spinner.text = t;
    },
    stop: () => spinner.stop(),
  };
}
