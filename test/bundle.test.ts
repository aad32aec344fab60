/** The committed schema bundle must be exactly what the generator writes from ../shared. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { bundlePath, generateBundle, serializeBundle } from '../scripts/generate-bundle.js';
import { haveSharedFixtures, K8S_SHARED_DIR, requireSharedFixtures } from './support/shared-data.js';

describe('schema bundle', function () {
  it('is what npm run generate writes from the upstream definitions', function () {
    if (!haveSharedFixtures()) {
      requireSharedFixtures(this);
    }
    const generated = serializeBundle(generateBundle(K8S_SHARED_DIR));
    const committed = readFileSync(bundlePath, 'utf8');
    assert.ok(generated === committed, 'proto/kubernetes-v1.36.json is stale: run npm run generate and commit the result');
  });

  it('names the Kubernetes version and the generator, and carries no upstream comments', function () {
    const text = readFileSync(bundlePath, 'utf8');
    const bundle = JSON.parse(text) as { header: { kubernetesVersion: string; generator: string }; messages: Record<string, unknown> };
    assert.equal(bundle.header.kubernetesVersion, 'v1.36');
    assert.equal(bundle.header.generator, 'scripts/generate-bundle.ts');
    assert.ok(Object.keys(bundle.messages).length > 1200);
    assert.doesNotMatch(text, /Copyright|Licensed under|\/\/ /);
  });
});
