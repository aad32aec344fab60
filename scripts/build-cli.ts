/**
 * The binary's bundle (run by `npm run build` after tsc): dist/src/cli/main.js and io.js, with
 * everything they import statically (kreg's own modules, yargs, js-yaml), in a few ESM files under
 * dist/cli/. Loading ~80 small modules and resolving each import cost most of `kreg --help`'s start-up;
 * one file parses and links in a fraction of that.
 *
 * - It bundles tsc's output, so the binary runs the very code the tests import from dist/src.
 * - kreg's own dynamic imports (the snapshot, etcd and API sources) become chunks of their own,
 *   loaded only when a command needs them; the runtime dependencies other than yargs and js-yaml
 *   (ora, and the optional gRPC) stay external and are loaded lazily from node_modules.
 * - A module that finds a file next to itself (the schema bundle, package.json, the render worker)
 *   does so from import.meta.url; in the bundle that is rewritten to the URL the module has in
 *   dist/src, so each path still resolves as it does unbundled (the worker runs from dist/src).
 */
import { rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';

const root = fileURLToPath(new URL('../../', import.meta.url));
export const CLI_OUT_DIR = `${root}dist/cli`;
const compiledSrc = `${root}dist/src/`;

/** Dependencies bundled into the binary: needed by every run, pure JavaScript, many small files. */
const BUNDLED_DEPENDENCIES = new Set(['yargs', 'js-yaml']);

type Dependencies = Record<string, string> | undefined;
const packageJson = JSON.parse(await readFile(`${root}package.json`, 'utf8')) as { dependencies?: Dependencies; optionalDependencies?: Dependencies; peerDependencies?: Dependencies };
// Optional and peer dependencies may be absent: they must stay imports that can fail, never be bundled.
const external = [packageJson.dependencies, packageJson.optionalDependencies, packageJson.peerDependencies]
  .flatMap((deps) => Object.keys(deps ?? {}))
  .filter((name) => !BUNDLED_DEPENDENCIES.has(name))
  .flatMap((name) => [name, `${name}/*`]);

/** import.meta.url in kreg's modules → the URL that module has in dist/src, found from the bundle's own. */
const keepModuleUrls: Plugin = {
  name: 'keep-module-urls',
  setup(b) {
    b.onLoad({ filter: /\.js$/ }, async (args) => {
      if (!args.path.startsWith(compiledSrc)) return undefined;
      const text = await readFile(args.path, 'utf8');
      if (!text.includes('import.meta.url')) return undefined;
      const fromBundle = relative(CLI_OUT_DIR, args.path).split('\\').join('/');
      return {
        contents: text.replaceAll('import.meta.url', `new URL(${JSON.stringify(fromBundle)}, import.meta.url).href`),
        loader: 'js',
        resolveDir: dirname(args.path),
      };
    });
  },
};

/**
 * string-width (yargs' and cliui's copies lay out help) costs ~25 ms before measuring anything:
 * at load it builds an Intl.Segmenter and Unicode-property regexes, and each call runs them over
 * every character. string-width 8 itself begins with a fast path, printable ASCII is as wide as it
 * is long; the bundle puts that same test in front of every copy, and loads the copy (through a
 * require that esbuild makes lazy) only for other text, so widths, and help, are unchanged.
 */
const asciiWidthFastPath: Plugin = {
  name: 'ascii-width-fast-path',
  setup(b) {
    // One wrapper per copy: its path names the folder the import is resolved from.
    b.onResolve({ filter: /^string-width$/ }, (args) => (args.namespace === 'ascii-width' ? undefined : { path: args.resolveDir, namespace: 'ascii-width' }));
    b.onLoad({ filter: /.*/, namespace: 'ascii-width' }, (args) => ({
      contents: [
        'let stringWidth;',
        'export default function asciiFastStringWidth(text, options) {',
        "  if (typeof text === 'string' && /^[\\u0020-\\u007E]*$/.test(text)) return text.length;",
        "  stringWidth ??= require('string-width').default;",
        '  return stringWidth(text, options);',
        '}',
      ].join('\n'),
      loader: 'js',
      resolveDir: args.path,
    }));
  },
};

rmSync(CLI_OUT_DIR, { recursive: true, force: true });
await build({
  entryPoints: { kreg: `${compiledSrc}cli/binary.js` },
  outdir: CLI_OUT_DIR,
  outExtension: { '.js': '.mjs' },
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external,
  plugins: [keepModuleUrls, asciiWidthFastPath],
  // Names stay readable in stack traces (--debug); the bundle is not shipped to browsers.
  minify: false,
  legalComments: 'inline',
  logLevel: 'warning',
});
