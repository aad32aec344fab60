/**
 * Dependencies point inward: the CLI may use everything, nothing may use the CLI, and the pure
 * core (codec, keys) uses only itself. Read from the sources' import lines, so a wrong import
 * fails here rather than in review.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { REPO_ROOT } from './support/shared-data.js';

const SRC = join(REPO_ROOT, 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

/** The src-relative folder of each file a module imports (src/cli/x.ts → "cli"; src/errors.ts → "errors.ts"). */
function importedAreas(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:import|export)[^'"]*?from\s+'(\.[^']+)'|import\('(\.[^']+)'\)/g)]
    .map((m) => resolve(dirname(file), (m[1] ?? m[2]) as string))
    .map((target) => relative(SRC, target).split('/')[0] as string)
    .map((first) => first.replace(/\.js$/, '.ts'));
}

const RULES: Record<string, (area: string) => boolean> = {
  codec: (area) => area === 'codec' || area === 'errors.ts',
  keys: (area) => area === 'keys' || area === 'codec' || area === 'errors.ts',
  // the dump and restore core: cleaning rules, file layout, manifest, restore plan; pure like codec and keys
  dump: (area) => area === 'dump' || area === 'codec' || area === 'mask-secrets.ts' || area === 'diff',
  format: (area) => area === 'format' || area === 'codec',
  sources: (area) => area !== 'cli' && area !== 'diff',
  diff: (area) => area !== 'cli',
  // the storage audit's checks read entries and keys; printing and I/O are the CLI's
  'storage-audit': (area) => area !== 'cli' && area !== 'diff' && area !== 'format' && area !== 'schema-bundle.ts' && area !== 'stored-objects.ts',
  // the public package entries (kreg/keys, ...) expose the library, never the CLI or the diff core
  entries: (area) => area !== 'cli' && area !== 'diff',
};

describe('layering', function () {
  for (const [area, allowed] of Object.entries(RULES)) {
    it(`src/${area} imports only what lies inward of it`, function () {
      const files = sourceFiles(join(SRC, area));
      assert.ok(files.length > 0, `no files under src/${area}`);
      const wrong = files.flatMap((file) =>
        importedAreas(file)
          .filter((a) => !allowed(a))
          .map((a) => `${relative(SRC, file)} → ${a}`),
      );
      assert.deepEqual(wrong, []);
    });
  }
});
