/**
 * Slow start-up work begun from the raw arguments, before yargs and the command are loaded: a
 * snapshot file's hashing worker takes 70-90 ms to start, which then overlap loading and parsing
 * the command instead of delaying the hash. The arguments are only guessed at here; a wrong guess
 * costs an idle worker, which does not keep the process alive.
 */

/** The files a run may read as a snapshot or data dir, guessed from its arguments before they are parsed. */
export function snapshotFilesNamed(argv: readonly string[]): string[] {
  if (argv.includes('--help') || argv.includes('-h')) return [];
  const files: string[] = [];
  const snapshotCommand = argv[0] === 'snapshot' && (argv[1] === 'status' || argv[1] === 'check');
  // Without the hash check only `snapshot status` passes over the file on a worker (for its leaves' CRCs).
  if (!snapshotCommand && argv.some((arg) => arg === '--skip-hash-check' || (arg.startsWith('--skip-hash-check=') && arg !== '--skip-hash-check=false'))) return [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') break;
    if (arg === '--snapshot' || arg === '--data-dir') {
      const value = argv[i + 1];
      if (value !== undefined) files.push(value);
      i++;
    } else if (arg.startsWith('--snapshot=') || arg.startsWith('--data-dir=')) {
      files.push(arg.slice(arg.indexOf('=') + 1));
    } else if (arg.startsWith('snapshot:') || /^--(from|to)=snapshot:/.test(arg)) {
      // `kreg diff --from snapshot:FILE` and the like.
      files.push(arg.slice(arg.indexOf('snapshot:') + 'snapshot:'.length));
    } else if (snapshotCommand && i >= 2 && !arg.startsWith('-')) {
      // `snapshot status FILE`: a word after the command, or an option's value (not a file: skipped).
      files.push(arg);
    }
  }
  return files.filter((file) => file !== '');
}

/** Starts the hashing worker of the first large snapshot file the arguments seem to name. */
export function warmStart(argv: readonly string[]): void {
  const files = snapshotFilesNamed(argv);
  if (files.length === 0) return;
  // The one small module that starts it, not the snapshot reader: the worker starts the sooner.
  void import('../sources/snapshot/file-pass-start.js').then(
    ({ prestartFilePass }) => files.some((file) => prestartFilePass(file)),
    // Not loadable here: the command loads it again and says why.
    () => undefined,
  );
}
