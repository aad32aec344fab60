/**
 * learnRegistry reads the stored CRDs and APIServices: both at once where the source may
 * interleave reads (one round trip less before a command's first answer), one after the other
 * where it may not. Either way it learns the same, and tells what it could not learn in the same
 * order (CRDs first).
 */
import assert from 'node:assert/strict';
import { MemorySource } from '../src/sources/memory-source.js';
import type { Entry, EntrySource, RangeOptions } from '../src/sources/source.js';
import { learnRegistry } from '../src/stored-objects.js';
import { WIDGET_CRD } from './support/widget-crd.js';
import { runKreg } from './support/run-cli.js';

const CRDS = '/registry/apiextensions.k8s.io/customresourcedefinitions/';
const API_SERVICES = '/registry/apiregistration.k8s.io/apiservices/';

function filled(): MemorySource {
  const source = new MemorySource();
  source.put(`${CRDS}widgets.example.com`, JSON.stringify(WIDGET_CRD));
  source.put(`${CRDS}zz-damaged`, 'k8s\u0000\u00ff');
  source.put(
    `${API_SERVICES}v1beta1.metrics.k8s.io`,
    JSON.stringify({ apiVersion: 'apiregistration.k8s.io/v1', kind: 'APIService', metadata: { name: 'v1beta1.metrics.k8s.io' }, spec: { group: 'metrics.k8s.io', version: 'v1beta1' } }),
  );
  source.put(`${API_SERVICES}zz-damaged`, 'k8s\u0000\u00fe');
  return source;
}

/** The source, saying whether it interleaves reads as told, and recording when each range starts and ends. */
function recorded(source: EntrySource, interleavesReads: boolean, log: string[]): EntrySource {
  return {
    description: source.description,
    splitsListingsByPrefix: source.splitsListingsByPrefix,
    interleavesReads,
    get: async (key, options) => {
      log.push(`get ${key}`);
      await new Promise(setImmediate);
      const entry = await source.get(key, options);
      log.push(`got ${key}`);
      return entry;
    },
    currentRevision: () => source.currentRevision(),
    close: () => source.close(),
    range: (options: RangeOptions): AsyncIterable<Entry> =>
      (async function* () {
        log.push(`start ${options.prefix}`);
        // A turn of the event loop first, as a network read takes: another read may start meanwhile.
        await new Promise(setImmediate);
        yield* source.range(options);
        log.push(`end ${options.prefix}`);
      })(),
  };
}

describe('learnRegistry', () => {
  it('reads CRDs and APIServices at once where the source interleaves reads, in turn where not, and learns the same', async () => {
    const results = [];
    for (const interleaves of [true, false]) {
      const memory = filled();
      const log: string[] = [];
      results.push(await learnRegistry(recorded(memory, interleaves, log), '/registry', await memory.currentRevision()));
      const both = [`start ${CRDS}`, `start ${API_SERVICES}`];
      assert.deepEqual(log.slice(0, 2), interleaves ? both : [`start ${CRDS}`, `end ${CRDS}`], `interleaves: ${interleaves}`);
      assert.equal(log.length, 4);
    }
    const [atOnce, inTurn] = results as [Awaited<ReturnType<typeof learnRegistry>>, Awaited<ReturnType<typeof learnRegistry>>];
    assert.deepEqual(atOnce.undecodable, inTurn.undecodable);
    assert.deepEqual(
      atOnce.undecodable.map((u) => u.key),
      [`${CRDS}zz-damaged`, `${API_SERVICES}zz-damaged`],
    );
    assert.deepEqual(atOnce.definitions, inTurn.definitions);
    assert.equal(atOnce.definitions.customResourceDefinitions.length, 1);
    assert.equal(atOnce.definitions.apiServices.length, 1);
    assert.deepEqual(atOnce.registry.resources, inTurn.registry.resources);
    assert.ok(atOnce.registry.resources.some((r) => r.group === 'example.com' && r.resource === 'widgets'));
  });

  it('a command reads the definitions while it tells the release from the data, where the source interleaves reads; and learns the same', async () => {
    const KUBEADM = '/registry/configmaps/kube-system/kubeadm-config';
    const outputs: string[] = [];
    for (const interleaves of [true, false]) {
      const log: string[] = [];
      const result = await runKreg(['get', 'widgets', '-A', '-o', 'name'], { source: recorded(filled(), interleaves, log) });
      assert.equal(result.code, 0, result.stderr);
      outputs.push(`${result.stdout.toString()}${result.stderr.toString()}`);
      const crds = log.indexOf(`start ${CRDS}`);
      // The release is told from kubeadm's ConfigMap, else the Nodes: both read before the CRDs in turn.
      const detected = log.indexOf(`end /registry/minions/`);
      assert.ok(log.indexOf(`get ${KUBEADM}`) >= 0 && detected >= 0 && crds >= 0, log.join('\n'));
      if (interleaves) assert.ok(crds < log.indexOf(`got ${KUBEADM}`), log.join('\n'));
      else assert.ok(crds > detected, log.join('\n'));
    }
    assert.equal(outputs[0], outputs[1]);
    // What could not be learned is told, CRDs first, either way.
    assert.match(outputs[0] as string, /customresourcedefinitions\/zz-damaged: cannot learn from this definition[\s\S]*apiservices\/zz-damaged: cannot learn/);
  });
});
