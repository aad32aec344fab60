/**
 * Keys counted per resource (and per namespace): what `kreg ls` shows. Pure: fed key names and
 * value sizes, it keeps only counters, so memory does not grow with the data.
 */
import { parseKey, type ParsedKey, type ResourceRegistry } from './keys/index.js';

export const LS_SORTS = ['size', 'name', 'count'] as const;
export type LsSort = (typeof LS_SORTS)[number];

/** What a group of keys is: a resource kube-apiserver knows, a special key, or neither. */
export type NodeType = 'resource' | 'aggregated' | 'special' | 'unknown';

/** One row of the tree: a resource (depth 1) or one namespace of it (depth 2). */
export interface LsNode {
  type: NodeType;
  resource: string;
  group: string;
  /** The stored kind; for special keys the kind of their value, if any; "" when unknown. */
  kind: string;
  /** The key prefix the row counts (a whole key for a single special key). */
  prefix: string;
  namespace?: string;
  /** The special-key rule, e.g. "master-lease". */
  special?: string;
  count: number;
  /** Sum of value sizes. */
  bytes: number;
  /** Sum of key lengths (UTF-8 bytes), reported apart so `bytes` matches what values weigh. */
  keyBytes: number;
}

interface Tally {
  node: LsNode;
  /** Per-namespace tallies; only filled at depth 2. */
  namespaces: Map<string, LsNode>;
}

/** Where a key belongs: the row it is counted in, and its namespace when it has one. */
interface Placement {
  id: string;
  template: Omit<LsNode, 'count' | 'bytes' | 'keyBytes'>;
  namespace?: string;
}

/**
 * Counts keys per resource (and per namespace at depth 2). Pure: no I/O, no flags; a key that
 * parseKey cannot place is counted under "unknown" by its first path segment.
 */
export class RegistryTally {
  private readonly tallies = new Map<string, Tally>();
  /**
   * Placements of object keys by their parent ("/registry/pods/shop/"): every key in one directory
   * belongs to the same resource and namespace, so parseKey runs once per directory, not per key
   * (it dominated the CPU time of a listing). Bounded by resources × namespaces.
   */
  private readonly byParent = new Map<string, Placement>();
  keys = 0;

  constructor(
    private readonly registry: ResourceRegistry,
    private readonly prefix: string,
    private readonly depth: number,
  ) {}

  add(key: string, valueSize: number): void {
    const placement = this.place(key);
    let tally = this.tallies.get(placement.id);
    if (tally === undefined) {
      tally = { node: { ...placement.template, count: 0, bytes: 0, keyBytes: 0 }, namespaces: new Map() };
      this.tallies.set(placement.id, tally);
    }
    const keyBytes = Buffer.byteLength(key, 'utf8');
    const size = Math.max(0, valueSize);
    count(tally.node, size, keyBytes);
    if (this.depth >= 2 && placement.namespace !== undefined) {
      let ns = tally.namespaces.get(placement.namespace);
      if (ns === undefined) {
        ns = {
          ...placement.template,
          namespace: placement.namespace,
          prefix: `${placement.template.prefix}${placement.namespace}/`,
          count: 0,
          bytes: 0,
          keyBytes: 0,
        };
        tally.namespaces.set(placement.namespace, ns);
      }
      count(ns, size, keyBytes);
    }
    this.keys++;
  }

  /** The rows in display order: each resource followed (at depth 2) by its namespaces. */
  nodes(sort: LsSort): LsNode[] {
    const out: LsNode[] = [];
    const compare = comparator(sort);
    for (const tally of [...this.tallies.values()].sort((a, b) => compare(a.node, b.node))) {
      out.push(tally.node);
      out.push(...[...tally.namespaces.values()].sort(compare));
    }
    return out;
  }

  total(): { count: number; bytes: number; keyBytes: number } {
    const sum = { count: 0, bytes: 0, keyBytes: 0 };
    for (const { node } of this.tallies.values()) {
      sum.count += node.count;
      sum.bytes += node.bytes;
      sum.keyBytes += node.keyBytes;
    }
    return sum;
  }

  private place(key: string): Placement {
    const slash = key.lastIndexOf('/');
    const parent = key.slice(0, slash + 1);
    const known = slash < key.length - 1 ? this.byParent.get(parent) : undefined;
    if (known !== undefined) return known;
    const placement = this.parse(key);
    if (placement.cacheable && slash < key.length - 1 && this.noLongerStoragePath(parent)) this.byParent.set(parent, placement);
    return placement;
  }

  /**
   * Whether no storage path extends the directory, so the last segment is always a name; a
   * resource stored under e.g. "example.com/widgets/x" would otherwise be shadowed by the cache.
   */
  private noLongerStoragePath(parent: string): boolean {
    const relative = parent.slice(this.prefix.length + 1);
    return !this.registry.resources.some((entry) => entry.storagePath.length >= relative.length && `${entry.storagePath}/`.startsWith(relative));
  }

  private parse(key: string): Placement & { cacheable?: boolean } {
    let parsed: ParsedKey | undefined;
    try {
      parsed = parseKey(key, { prefix: this.prefix, registry: this.registry });
    } catch {
      parsed = undefined;
    }
    const base = `${this.prefix}/`;
    switch (parsed?.type) {
      case 'object':
      case 'listing': {
        const template = { type: 'resource' as const, resource: parsed.resource, group: parsed.group, kind: parsed.kind, prefix: `${base}${parsed.storagePath}/` };
        const id = `r:${parsed.group}/${parsed.resource}:${parsed.storagePath}`;
        const cacheable = parsed.type === 'object';
        return parsed.namespace === undefined ? { id, template, cacheable } : { id, template, namespace: parsed.namespace, cacheable };
      }
      case 'aggregated': {
        const resource = parsed.resource ?? '';
        const template = { type: 'aggregated' as const, resource, group: parsed.group, kind: '', prefix: `${base}${parsed.group}/${resource === '' ? '' : `${resource}/`}` };
        const id = `a:${parsed.group}/${resource}`;
        return parsed.namespace === undefined ? { id, template } : { id, template, namespace: parsed.namespace };
      }
      case 'special': {
        const rule = parsed.special.rule;
        // "masterleases/<ip>" is shown as masterleases, one row for all its keys; "ranges/serviceips" as itself.
        const fixed = rule.pattern.split('/<')[0] ?? rule.pattern;
        const many = fixed !== rule.pattern;
        const kind = rule.value.format === 'object' ? rule.value.kind : '';
        const where = rule.placement === 'root' ? fixed : `${base}${fixed}`;
        return { id: `s:${rule.id}`, template: { type: 'special', resource: fixed, group: '', kind, special: rule.id, prefix: many ? `${where}/` : where } };
      }
      case undefined: {
        const relative = key.startsWith(base) ? key.slice(base.length) : key;
        const slash = relative.indexOf('/');
        const first = slash < 0 ? relative : relative.slice(0, slash);
        const prefix = key.startsWith(base) ? `${base}${first}${slash < 0 ? '' : '/'}` : key;
        return { id: `u:${prefix}`, template: { type: 'unknown', resource: first, group: '', kind: '', prefix } };
      }
    }
  }
}

function count(node: LsNode, bytes: number, keyBytes: number): void {
  node.count++;
  node.bytes += bytes;
  node.keyBytes += keyBytes;
}

function nodeName(node: LsNode): string {
  return node.namespace ?? node.resource;
}

function byName(a: LsNode, b: LsNode): number {
  return nodeName(a).localeCompare(nodeName(b), 'en') || a.group.localeCompare(b.group, 'en') || a.prefix.localeCompare(b.prefix, 'en');
}

function comparator(sort: LsSort): (a: LsNode, b: LsNode) => number {
  switch (sort) {
    case 'name':
      return byName;
    case 'size':
      return (a, b) => b.bytes - a.bytes || byName(a, b);
    case 'count':
      return (a, b) => b.count - a.count || byName(a, b);
  }
}
