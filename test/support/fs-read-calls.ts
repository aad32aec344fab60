/** Counts the snapshot reader's file reads (fs.read on this thread) while a body runs. */
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';

/** `body`'s result and the fs.read calls made on this thread while it ran. */
export async function fsReadCallsDuring<T>(body: () => Promise<T>): Promise<{ result: T; reads: number }> {
  const original = fs.read;
  let reads = 0;
  fs.read = ((...args: Parameters<typeof fs.read>) => {
    reads++;
    return (original as (...a: Parameters<typeof fs.read>) => void)(...args);
  }) as typeof fs.read;
  // ES module imports of node:fs see the replacement only once the builtin exports are synced.
  syncBuiltinESMExports();
  try {
    return { result: await body(), reads };
  } finally {
    fs.read = original;
    syncBuiltinESMExports();
  }
}
