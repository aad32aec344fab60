/**
 * The package entries load only what they say: `kreg` neither the etcd client nor anything of the
 * file system beyond the schema bundle's reader, `kreg/keys` no Node module at all, and only
 * `kreg/etcd` loads gRPC. Each entry is imported by its package name (so the exports
 * map is exercised too) in a child process whose ESM resolve hook records every module URL; CJS
 * packages (@grpc/grpc-js) also show in require.cache, which is checked as well.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO_ROOT } from './support/shared-data.js';

const HOOKS = `
import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  appendFileSync(process.env.KREG_IMPORT_LOG, result.url + '\\n');
  return result;
}
`;
const REGISTER = `import { register } from 'node:module';\nregister('./hooks.mjs', import.meta.url);\n`;

interface Loaded {
  /** Every ESM module URL resolved, repository files relative to the root (dist/src/...). */
  esm: string[];
  /** CJS files in require.cache, relative to the root. */
  cjs: string[];
  /** The entry's runtime export names. */
  names: string[];
}

let dir: string;

function load(specifier: string): Loaded {
  const log = join(dir, `${specifier.replace(/\W/g, '_')}.log`);
  writeFileSync(log, '');
  const script = `
    import { createRequire } from 'node:module';
    const entry = await import(${JSON.stringify(specifier)});
    const cjs = Object.keys(createRequire(import.meta.url).cache);
    console.log(JSON.stringify({ cjs, names: Object.keys(entry).sort() }));
  `;
  const child = spawnSync(process.execPath, ['--import', pathToFileURL(join(dir, 'register.mjs')).href, '--input-type=module', '-e', script], {
    cwd: REPO_ROOT,
    env: { ...process.env, KREG_IMPORT_LOG: log },
    encoding: 'utf8',
  });
  assert.equal(child.status, 0, child.stderr);
  const root = pathToFileURL(REPO_ROOT).href;
  const relative = (path: string): string => (path.startsWith(root) ? path.slice(root.length) : path.startsWith(REPO_ROOT) ? path.slice(REPO_ROOT.length) : path);
  const parsed = JSON.parse(child.stdout) as { cjs: string[]; names: string[] };
  const esm = [
    ...new Set(
      readFileSync(log, 'utf8')
        .split('\n')
        .filter((line) => line !== ''),
    ),
  ]
    .map(relative)
    // the child's own start-up: the hook registration and the eval'd script's imports
    .filter((url) => !url.startsWith(pathToFileURL(dir).href) && url !== 'node:module');
  return { esm, cjs: parsed.cjs.map(relative), names: parsed.names };
}

const PACKAGE = /(^|\/)node_modules\//;
const isEtcdClient = (path: string): boolean => /node_modules\/(etcd3|@grpc)\//.test(path);

describe('package entries load only what they need', function () {
  this.timeout(30_000);
  before(function () {
    dir = mkdtempSync(join(tmpdir(), 'kreg-entries-'));
    writeFileSync(join(dir, 'hooks.mjs'), HOOKS);
    writeFileSync(join(dir, 'register.mjs'), REGISTER);
  });
  after(function () {
    rmSync(dir, { recursive: true, force: true });
  });

  it('kreg: the codec and the schema bundle reader; no package, no etcd client', function () {
    const { esm, cjs, names } = load('kreg');
    assert.ok(names.includes('decode') && names.includes('encode'), names.join(' '));
    const unexpected = esm.filter((url) => !/^dist\/src\/(index\.js|errors\.js|schema-bundle\.js|schema-files\.js|codec\/[\w-]+\.js)$/.test(url) && url !== 'node:fs' && url !== 'node:url');
    assert.deepEqual(unexpected, []);
    assert.deepEqual(
      cjs.filter((path) => PACKAGE.test(path)),
      [],
    );
  });

  it('kreg/keys: pure, not one Node module', function () {
    const { esm, cjs, names } = load('kreg/keys');
    assert.ok(names.includes('parseKey') && names.includes('keyFor'), names.join(' '));
    assert.deepEqual(
      esm.filter((url) => !/^dist\/src\/(entries\/keys\.js|errors\.js|keys\/[\w-]+\.js|codec\/[\w-]+\.js)$/.test(url)),
      [],
    );
    assert.deepEqual(
      cjs.filter((path) => PACKAGE.test(path)),
      [],
    );
  });

  for (const specifier of ['kreg/sources', 'kreg/snapshot']) {
    it(`${specifier}: no package, no etcd client`, function () {
      const { esm, cjs } = load(specifier);
      assert.deepEqual(
        esm.filter((url) => PACKAGE.test(url) || url.includes('/sources/etcd') || url.includes('/cli/')),
        [],
      );
      assert.deepEqual(
        cjs.filter((path) => PACKAGE.test(path)),
        [],
      );
    });
  }

  it('kreg/etcd: loads gRPC (so the checks above would see it), and not etcd3 (a development dependency only)', function () {
    const { esm, cjs, names } = load('kreg/etcd');
    assert.ok(names.includes('createEtcdSource') && names.includes('resolveEtcdConnection'), names.join(' '));
    assert.ok(esm.some(isEtcdClient), esm.join('\n'));
    assert.ok(
      cjs.some((path) => path.includes('node_modules/@grpc/grpc-js/')),
      'gRPC in require.cache',
    );
    assert.ok(!cjs.some((path) => path.includes('node_modules/etcd3/')) && !esm.some((path) => path.includes('node_modules/etcd3/')), 'etcd3 loaded');
  });
});
