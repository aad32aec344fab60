/**
 * The upstream fixtures kube-apiserver would store: those whose group, version and kind are a
 * built-in resource's storage version, each with the etcd key it would be written at.
 */
import { readdirSync, readFileSync } from 'node:fs';
import type { JsonObject } from '../../src/codec/json-value.js';
import { builtinRegistry, keyForEntry, type ResourceEntry } from '../../src/keys/index.js';
import { FIXTURES_DIR } from './shared-data.js';

export interface StoredFixture {
  /** e.g. api/apps.v1.Deployment */
  name: string;
  /** Path of the .pb file. */
  file: string;
  key: string;
  entry: ResourceEntry;
  json: JsonObject;
}

export function storableFixtures(): StoredFixture[] {
  const registry = builtinRegistry();
  const out: StoredFixture[] = [];
  for (const dir of ['api', 'apiextensions']) {
    for (const file of readdirSync(`${FIXTURES_DIR}/${dir}`).sort()) {
      if (!file.endsWith('.json')) continue;
      const json = JSON.parse(readFileSync(`${FIXTURES_DIR}/${dir}/${file}`, 'utf8')) as JsonObject;
      const [group, version] = typeof json.apiVersion === 'string' && json.apiVersion.includes('/') ? json.apiVersion.split('/') : ['', json.apiVersion];
      const entry = registry.resources.find((e) => e.group === group && e.storageVersion === version && e.kind === json.kind && e.storedAs === undefined && e.origin === 'builtin');
      if (entry === undefined) continue;
      const metadata = json.metadata as JsonObject;
      const where = entry.namespaced ? { namespace: metadata.namespace as string, name: metadata.name as string } : { name: metadata.name as string };
      const base = file.slice(0, -'.json'.length);
      out.push({ name: `${dir}/${base}`, file: `${FIXTURES_DIR}/${dir}/${base}.pb`, key: keyForEntry(entry, where, '/registry'), entry, json });
    }
  }
  return out;
}
