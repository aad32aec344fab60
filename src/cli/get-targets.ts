/** What one kreg get reads (listings, named objects, keys, everything), and reading it. */
import { KregError, UsageError } from '../errors.js';
import { keyForEntry, reservedKeyPath, resolveResource, resolveResourceCandidates, type ResourceEntry, type ResourceRegistry } from '../keys/index.js';
import { everyEntryBatches } from '../stored-objects.js';
import { entryBatches } from '../sources/source.js';
import type { Store } from './open-store.js';
import type { EntryPrinter } from './entry-printer.js';
import type { GetArgs } from './get-args.js';
import { servedShape } from './served-shape.js';

/** What one `get` reads: a resource listing (perhaps in one namespace), named objects, or one raw key. */
export type Target =
  | { kind: 'key'; key: string }
  | { kind: 'keys'; prefix: string }
  | { kind: 'names'; resource: ResourceEntry; namespace: string | undefined; names: string[] }
  | { kind: 'list'; resource: ResourceEntry; namespace: string | undefined }
  | { kind: 'everything' };

export function targetType(target: Target): string {
  return target.kind === 'list' || target.kind === 'names' ? `${target.resource.resource}.${target.resource.group}` : target.kind;
}

/** kubectl's words for an empty table: the namespace when every target is listed in one. */
export function emptyMessage(targets: readonly Target[]): string {
  const namespaces = new Set(targets.map((t) => (t.kind === 'list' || t.kind === 'names' ? t.namespace : undefined)));
  const [only] = namespaces;
  return namespaces.size === 1 && only !== undefined ? `No resources found in ${only} namespace.` : 'No resources found';
}

export function resolveTargets(args: GetArgs, registry: ResourceRegistry, prefix: string): Target[] {
  const { resource } = args;
  if (resource === undefined) {
    if (!args['all-namespaces']) throw new UsageError('no-resource', 'name a resource (kreg get pods), a key (kreg get /registry/...), or use -A for everything');
    return [{ kind: 'everything' }];
  }
  if (resource.startsWith('/')) return [resource, ...args.names].map((key) => ({ kind: 'key', key }));
  const typed = [resource, ...args.names].filter((a) => a.includes('/') && reservedTargets(a, [], prefix, registry) === undefined);
  if (typed.length > 0) return typeNameTargets(args, registry, prefix);
  if (args['all-namespaces'] && args.names.length > 0) throw new UsageError('names-with-all-namespaces', 'a name cannot be given with -A: name the namespace with -n');
  return resource.split(',').flatMap((r): Target[] => {
    const reserved = reservedTargets(r, args.names, prefix, registry);
    if (reserved !== undefined) return reserved;
    const entry = resolveResource(r, { registry });
    const namespace = entry.namespaced && !args['all-namespaces'] ? (args.namespace ?? 'default') : undefined;
    return [args.names.length > 0 ? { kind: 'names', resource: entry, namespace, names: args.names } : { kind: 'list', resource: entry, namespace }];
  });
}

/**
 * TYPE/NAME arguments (deploy/web pod/x, or -o name's deployment.apps/web): each one object.
 * As in kubectl, every argument then has that form.
 */
function typeNameTargets(args: GetArgs, registry: ResourceRegistry, prefix: string): Target[] {
  const all = [args.resource as string, ...args.names];
  if (args['all-namespaces']) throw new UsageError('names-with-all-namespaces', 'TYPE/NAME cannot be given with -A: name the namespace with -n');
  return all.flatMap((arg): Target[] => {
    const reserved = reservedTargets(arg, [], prefix, registry);
    if (reserved !== undefined) return reserved;
    const slash = arg.indexOf('/');
    if (slash < 0) {
      throw new UsageError('mixed-type-name', `"${arg}" has no TYPE/: when one argument is TYPE/NAME, all must be (kreg get deploy/web pod/x, not kreg get deploy web pod/x)`);
    }
    const type = arg.slice(0, slash);
    const name = arg.slice(slash + 1);
    if (type === '' || name === '' || name.includes('/')) throw new UsageError('bad-type-name', `"${arg}" is not TYPE/NAME`);
    const entry = resolveResource(type, { registry });
    const namespace = entry.namespaced ? (args.namespace ?? 'default') : undefined;
    return [{ kind: 'names', resource: entry, namespace, names: [name] }];
  });
}

/** Reserved keys named as `kreg ls` shows them (masterleases, ranges/serviceips), when no resource has the name. */
function reservedTargets(name: string, names: string[], prefix: string, registry: ResourceRegistry): Target[] | undefined {
  if (resolveResourceCandidates(name, { registry }).length > 0) return undefined;
  const reserved = reservedKeyPath(name);
  if (reserved === undefined) return undefined;
  const at = `${prefix}/${reserved.path}`;
  if (!reserved.directory) {
    if (names.length > 0) throw new UsageError('no-names', `${name} is one key (${at}): it takes no names`);
    return [{ kind: 'key', key: at }];
  }
  return names.length > 0 ? names.map((n) => ({ kind: 'key', key: `${at}${n}` })) : [{ kind: 'keys', prefix: at }];
}

export async function readTarget(store: Store, target: Target, printer: EntryPrinter): Promise<void> {
  const { source, revision, prefix, registry, denied } = store;
  printer.servedAs = target.kind === 'list' || target.kind === 'names' ? servedShape(target.resource) : undefined;
  switch (target.kind) {
    case 'key': {
      const entry = await source.get(target.key, { revision });
      if (entry === undefined) printer.missing.push(new KregError('not-found', 'no such key', { key: target.key }));
      else await printer.print(entry);
      return;
    }
    case 'names':
      for (const name of target.names) {
        const key = keyForEntry(target.resource, target.namespace === undefined ? { name } : { namespace: target.namespace, name }, prefix);
        const entry = await source.get(key, { revision });
        if (entry === undefined)
          printer.missing.push(new KregError('not-found', `${target.resource.resource}${target.resource.group === '' ? '' : `.${target.resource.group}`} "${name}" not found`, { key }));
        else await printer.print(entry);
      }
      return;
    case 'keys':
      await printer.printAll(entryBatches(source, { prefix: target.prefix, revision, readsAll: true, borrowsValues: printer.borrowsValues }), target.prefix);
      return;
    case 'list': {
      const listing = keyForEntry(target.resource, target.namespace === undefined ? {} : { namespace: target.namespace }, prefix);
      await printer.printAll(entryBatches(source, { prefix: listing, revision, readsAll: true, borrowsValues: printer.borrowsValues }), listing);
      return;
    }
    case 'everything':
      await printer.printAll(everyEntryBatches(source, prefix, revision, registry, denied, { borrowsValues: printer.borrowsValues }), `${prefix}/`);
      return;
  }
}
