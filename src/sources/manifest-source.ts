/**
 * A directory of manifests as a source of objects (an ObjectSource), for `kreg diff`: every .yaml,
 * .yml and .json file under it (recursively), YAML files with many documents, `kind: List` (and
 * *List kinds with items) expanded. Each object is placed by apiVersion and kind at its resource,
 * and namespaced objects without a namespace get the namespace `kubectl apply -n NS` would give
 * them: the -n namespace, else `default`.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import yaml from 'js-yaml';
import type { JsonObject } from '../codec/json-value.js';
import { KregError } from '../errors.js';
import { builtinRegistry, groupResourceId, learnFromStoredObjects, resolveKind, type ResourceEntry, type ResourceRegistry } from '../keys/index.js';
import { canonicalEntry, type FoundObject, type ObjectSource } from './object-source.js';

export class ManifestError extends KregError {
  override name = 'ManifestError';
}

export interface ManifestObject {
  entry: ResourceEntry;
  namespace: string | undefined;
  name: string;
  object: JsonObject;
  file: string;
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function manifestFiles(dir: string): string[] {
  let stat: ReturnType<typeof statSync>;
  try {
    stat = statSync(dir);
  } catch (err) {
    throw new ManifestError('no-dir', `cannot read manifests: ${(err as Error).message}`, { file: dir });
  }
  if (stat.isFile()) return [dir];
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    if (name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...manifestFiles(path));
    else if (/\.(ya?ml|json)$/i.test(name)) out.push(path);
  }
  return out;
}

/** The raw documents of every file, Lists expanded, each with the file it came from. */
export function readManifestDocuments(dir: string): { object: JsonObject; file: string }[] {
  const out: { object: JsonObject; file: string }[] = [];
  const add = (doc: unknown, file: string): void => {
    if (doc === null || doc === undefined) return;
    if (!isObject(doc)) throw new ManifestError('bad-manifest', 'a document is not an object', { file });
    if (typeof doc.kind === 'string' && doc.kind.endsWith('List') && Array.isArray(doc.items)) {
      for (const item of doc.items) add(item, file);
      return;
    }
    out.push({ object: doc, file });
  };
  for (const file of manifestFiles(dir)) {
    const text = readFileSync(file, 'utf8');
    try {
      if (file.toLowerCase().endsWith('.json')) add(JSON.parse(text), file);
      else for (const doc of yaml.loadAll(text)) add(doc, file);
    } catch (err) {
      if (err instanceof KregError) throw err;
      throw new ManifestError('bad-manifest', `cannot parse: ${(err as Error).message.split('\n')[0]}`, { file });
    }
  }
  return out;
}

export interface ManifestSourceOptions {
  /** Where namespaced objects without a namespace go (kubectl apply -n); `default` when absent. */
  namespace?: string | undefined;
}

export class ManifestSource implements ObjectSource {
  readonly description: string;
  /** Every document is read when opening, and a bad one is an error: nothing is skipped. */
  readonly problems: string[] = [];
  private readonly namespace: string;
  private placed: FoundObject[] | undefined;

  private constructor(
    readonly dir: string,
    private readonly documents: { object: JsonObject; file: string }[],
    options: ManifestSourceOptions,
  ) {
    this.description = `dir ${dir}`;
    this.namespace = options.namespace ?? 'default';
  }

  static open(dir: string, options: ManifestSourceOptions = {}): ManifestSource {
    return new ManifestSource(dir, readManifestDocuments(dir), options);
  }

  /** The registry extended with the CustomResourceDefinitions the directory holds. */
  extendRegistry(registry: ResourceRegistry): ResourceRegistry {
    const crds = this.documents.filter((d) => d.object.kind === 'CustomResourceDefinition' && String(d.object.apiVersion).startsWith('apiextensions.k8s.io/')).map((d) => d.object);
    return crds.length === 0 ? registry : learnFromStoredObjects({ customResourceDefinitions: crds }, registry).registry;
  }

  /** Places the manifests with the caller's registry extended by the directory's CRDs; returns that registry. */
  useRegistry(registry: ResourceRegistry): ResourceRegistry {
    const extended = this.extendRegistry(registry);
    this.placed = this.objects(extended).map((o) => ({ entry: canonicalEntry(o.entry, extended), namespace: o.namespace, name: o.name, object: o.object }));
    return extended;
  }

  /** The placed objects (with the built-in resources and the directory's CRDs when no registry was given). */
  private all(): FoundObject[] {
    if (this.placed === undefined) this.useRegistry(builtinRegistry());
    return this.placed as FoundObject[];
  }

  get(resource: ResourceEntry, namespace: string | undefined, name: string): Promise<JsonObject | undefined> {
    const id = groupResourceId(resource.group, resource.resource);
    return Promise.resolve(this.all().find((f) => groupResourceId(f.entry.group, f.entry.resource) === id && f.namespace === namespace && f.name === name)?.object);
  }

  list(resource: ResourceEntry, namespace: string | undefined): Promise<FoundObject[]> {
    return Promise.resolve(this.all().filter((f) => f.entry.group === resource.group && f.entry.resource === resource.resource && (namespace === undefined || f.namespace === namespace)));
  }

  everything(): Promise<FoundObject[]> {
    return Promise.resolve(this.all());
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  /** Every object placed at its resource; an unknown kind or a missing name is an error naming the file. */
  objects(registry: ResourceRegistry): ManifestObject[] {
    return this.documents.map(({ object, file }) => {
      const apiVersion = typeof object.apiVersion === 'string' ? object.apiVersion : '';
      const kind = typeof object.kind === 'string' ? object.kind : '';
      if (apiVersion === '' || kind === '') throw new ManifestError('bad-manifest', 'an object has no apiVersion or kind', { file });
      const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
      let entry: ResourceEntry;
      try {
        entry = resolveKind(kind, { registry, group: group === '' ? 'core' : group });
      } catch (err) {
        throw err instanceof KregError ? err.withSubject({ file }) : err;
      }
      const metadata = isObject(object.metadata) ? object.metadata : {};
      object.metadata = metadata;
      if (typeof metadata.name !== 'string' || metadata.name === '') throw new ManifestError('bad-manifest', `a ${kind} has no metadata.name`, { file });
      let namespace: string | undefined;
      if (entry.namespaced) {
        // As kubectl apply -n NS: a manifest without a namespace goes to NS (default without -n).
        if (typeof metadata.namespace !== 'string' || metadata.namespace === '') metadata.namespace = this.namespace;
        namespace = metadata.namespace as string;
      }
      return { entry, namespace, name: metadata.name, object, file };
    });
  }
}
