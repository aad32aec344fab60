/**
 * What `kreg get -o json/ndjson` prints for one entry by the object path (decodeEntry, masking,
 * managedFields hidden or shown, formatJson), laid out as the writers lay it out: the text every
 * fast writer of JSON text is held to.
 */
import { itemRenderer } from '../../src/cli/object-writers.js';
import type { JsonTextOptions } from '../../src/codec/protobuf-to-json-text.js';
import { formatJson } from '../../src/format/object-text.js';
import { MASKED_SECRET_VALUE } from '../../src/mask-secrets.js';
import { entryToPrinted } from '../../src/cli/render-entry.js';
import { builtinRegistry, type ResourceRegistry } from '../../src/keys/index.js';
import type { Entry } from '../../src/sources/source.js';

export type View = { showSecrets: boolean; showManagedFields: boolean };
/** One object per line; one object alone (indented by 4); a List's item (at depth 2). */
export type Layout = 'ndjson' | 'json' | 'json-item';

export const views: View[] = [
  { showSecrets: false, showManagedFields: false },
  { showSecrets: true, showManagedFields: true },
];
export const layouts: Layout[] = ['ndjson', 'json', 'json-item'];

export function entryOf(value: Uint8Array, key = '/registry/things/ns/name', modRevision = 4242): Entry {
  return { key, value, modRevision, createRevision: 7, version: 3, lease: '0', valueSize: value.length };
}

/** What kreg get prints for the entry by the object path; undefined for a note or a stand-in. */
export function printedByObjectPath(entry: Entry, view: View, layout: Layout, kubeVersion?: string, registry: ResourceRegistry = builtinRegistry()): string | undefined {
  const rendered = entryToPrinted(entry, registry, '/registry', view, kubeVersion === undefined ? {} : { kubeVersion });
  if (rendered.item === undefined || rendered.stub === true) return undefined;
  const render = itemRenderer(layout === 'ndjson' ? 'ndjson' : 'json', layout !== 'json-item');
  return render?.(rendered.item);
}

/** A fast writer's text for the entry, laid out as the writer lays out what it writes. */
export function laidOut(text: string, layout: Layout): string {
  return layout === 'json-item' ? `        ${text}` : `${text}\n`;
}

/** How a fast writer writes the entry for the view, in the layout (spaces per level, the level it starts at). */
export function jsonTextOptions(entry: Entry, view: View, layout: Layout): JsonTextOptions {
  return {
    resourceVersion: String(entry.modRevision),
    managedFieldsHidden: !view.showManagedFields,
    indent: layout === 'ndjson' ? 0 : 4,
    depth: layout === 'json-item' ? 2 : 0,
    secretsMasked: !view.showSecrets,
    maskedSecretValue: MASKED_SECRET_VALUE,
    jsonText: formatJson,
  };
}
