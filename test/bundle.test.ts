/** The committed schema bundle must be exactly what the generator writes from ../shared. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { bundlePath, generateBundle, generatedFiles, releasesPath, serializeBundle } from '../scripts/generate-bundle.js';
import { haveReleaseFixtures, haveSharedFixtures, K8S_SHARED_DIR, requireReleaseFixtures, requireSharedFixtures } from './support/shared-data.js';

describe('schema bundle', function () {
  it('is what npm run generate writes from the upstream definitions', function () {
    if (!haveSharedFixtures()) {
      requireSharedFixtures(this);
    }
    const generated = serializeBundle(generateBundle(K8S_SHARED_DIR));
    const committed = readFileSync(bundlePath, 'utf8');
    assert.ok(generated === committed, 'proto/kubernetes-v1.36.json is stale: run npm run generate and commit the result');
  });

  it("and the older releases' differences are what npm run generate writes", function () {
    if (!haveSharedFixtures() || !haveReleaseFixtures()) {
      requireSharedFixtures(this);
      requireReleaseFixtures(this);
    }
    const generated = generatedFiles(K8S_SHARED_DIR).find((f) => f.path === releasesPath);
    assert.ok(generated !== undefined);
    const committed = readFileSync(releasesPath, 'utf8');
    assert.ok(generated.text === committed, 'proto/kubernetes-releases.json is stale: run npm run generate and commit the result');
    const releases = (JSON.parse(committed) as { releases: { release: string }[] }).releases.map((r) => r.release);
    assert.deepEqual(
      releases,
      Array.from({ length: 21 }, (_, i) => `1.${16 + i}`),
    );
    assert.doesNotMatch(committed, /Copyright|Licensed under|\/\/ /);
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
