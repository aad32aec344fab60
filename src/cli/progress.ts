/**
 * A spinner for long listings, on stderr and only when stderr is a terminal, so that
 * `kreg get ... -o yaml | kubectl apply -f -` and CI logs stay clean. ora is loaded only then.
 */
export interface Progress {
  update(text: string): void;
  stop(): void;
}

const SILENT: Progress = { update: () => undefined, stop: () => undefined };

export async function startProgress(text: string): Promise<Progress> {
  if (!process.stderr.isTTY) return SILENT;
  const { default: ora } = await import('ora');
  const spinner = ora({ text, stream: process.stderr }).start();
  return {
    update: (t) => {
      spinner.text = t;
    },
    stop: () => spinner.stop(),
  };
}
