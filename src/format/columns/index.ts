/**
 * Which columns an object prints with, the way `kubectl get` shows it: the built-in kinds'
 * printers, custom resources' printer columns from their stored CRDs, else NAME AGE. Pure.
 */
import type { JsonObject } from '../../codec/json-value.js';
import { BUILTIN_PRINTERS, DEFAULT_PRINTER, FORMER_GROUPS, type KindPrinter } from './builtin.js';
import { customResourcePrinter, groupVersion } from './custom.js';
import { str } from './values.js';

export { humanDuration, ageSince } from './age.js';
export { BUILTIN_PRINTERS, DEFAULT_PRINTER, podSummary, jobStatus, type Column, type KindPrinter } from './builtin.js';
export { customResourcePrinter, formatCell } from './custom.js';

/** A built-in kind's printer, also under the group it was stored in before it moved (extensions/v1beta1 Ingress). */
function builtin(group: string, kind: string): KindPrinter | undefined {
  const found = BUILTIN_PRINTERS.get(`${group}/${kind}`);
  if (found !== undefined) return found;
  for (const now of FORMER_GROUPS.get(group) ?? []) {
    const moved = BUILTIN_PRINTERS.get(`${now}/${kind}`);
    if (moved !== undefined) return moved;
  }
  return undefined;
}

/** Finds (and remembers) the printer for each kind, given the CRDs stored with the objects. */
export class Printers {
  private readonly cache = new Map<string, KindPrinter>();

  constructor(private readonly customResourceDefinitions: readonly JsonObject[] = []) {}

  for(object: JsonObject): KindPrinter {
    const { group, version } = groupVersion(object);
    const kind = str(object, 'kind');
    const id = `${group}/${version}/${kind}`;
    let printer = this.cache.get(id);
    if (printer === undefined) {
      printer = builtin(group, kind) ?? this.custom(group, version, kind) ?? DEFAULT_PRINTER;
      this.cache.set(id, printer);
    }
    return printer;
  }

  private custom(group: string, version: string, kind: string): KindPrinter | undefined {
    const crd = this.customResourceDefinitions.find((c) => str(c, 'spec', 'group') === group && str(c, 'spec', 'names', 'kind') === kind);
    return crd === undefined ? undefined : customResourcePrinter(crd, version);
  }
}
