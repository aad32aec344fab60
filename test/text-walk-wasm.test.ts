/**
 * The text walks in WebAssembly (JSON and YAML): the committed module is what its source compiles to, and a
 * Node.js without WebAssembly still prints (the JavaScript walk does it). What it writes is held
 * to the JavaScript walk and the object path in json-text.test.ts and yaml-text.test.ts.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { compileTextWalkWasm, WASM_MODULE_FILE, wasmModuleText } from '../scripts/generate-wasm.js';

describe('Text walks in WebAssembly', function () {
  it('is committed as assembly/ compiles (npm run generate-wasm)', function () {
    this.timeout(60_000);
    assert.equal(readFileSync(WASM_MODULE_FILE, 'utf8'), wasmModuleText(compileTextWalkWasm()), 'src/codec/text-walk-wasm-module.ts is stale: run npm run generate-wasm');
  });

  it('leaves the writing to the JavaScript walk where WebAssembly cannot run', function () {
    this.timeout(60_000);
    const codec = fileURLToPath(new URL('../src/codec/', import.meta.url));
    // --jitless turns WebAssembly off; the value is a ConfigMap with a quote, an accent and a time.
    const script = `
      const { encode } = await import(${JSON.stringify(`${codec}../index.js`)});
      const { writeStoredObjectJson } = await import(${JSON.stringify(`${codec}protobuf-to-json-text.js`)});
      const { JsonTextBuffer } = await import(${JSON.stringify(`${codec}json-text-buffer.js`)});
      const { loadSchema } = await import(${JSON.stringify(`${codec}../schema-bundle.js`)});
      const value = encode({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'shop', creationTimestamp: '2026-12-01T10:00:00Z' }, data: { a: 'say "h\u00e9"' } });
      const out = new JsonTextBuffer(64);
      const options = { resourceVersion: '5', managedFieldsHidden: true, indent: 0, depth: 0, secretsMasked: true, jsonText: () => '' };
      const wrote = ['any', 'webassembly'].map((engine) => writeStoredObjectJson(loadSchema(), value, options, out, engine));
      process.stdout.write(JSON.stringify({ typeofWasm: typeof WebAssembly, wrote, text: new TextDecoder().decode(out.bytes.subarray(0, out.length)) }));
    `;
    const answer = JSON.parse(execFileSync(process.execPath, ['--jitless', '--input-type=module', '-e', script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }));
    assert.equal(answer.typeofWasm, 'undefined');
    assert.deepEqual(answer.wrote, [true, false]);
    assert.equal(
      answer.text,
      '{"apiVersion":"v1","data":{"a":"say \\"hé\\""},"kind":"ConfigMap","metadata":{"creationTimestamp":"2026-12-01T10:00:00Z","name":"c","namespace":"shop","resourceVersion":"5"}}',
    );
  });
});
