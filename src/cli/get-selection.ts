/** kreg get's -l and --field-selector: parsed and checked before anything is read. */
import type { JsonObject } from '../codec/json-value.js';
import { UsageError } from '../errors.js';
import type { ResourceEntry } from '../keys/index.js';
import { type FieldRequirement, type LabelRequirement, parseFieldSelector, parseLabelSelector, SelectorError, selectableFields } from '../format/selectors.js';
import type { GetArgs } from './get-args.js';
import type { Target } from './get-targets.js';

/** What -l and --field-selector ask for, parsed before anything is read. */
export interface Selection {
  labels: LabelRequirement[];
  fields: FieldRequirement[];
}

/** A selector flag parsed, or a UsageError naming the flag's text and what is wrong with it. */
function parseSelectorFlag<T>(what: string, text: string | undefined, parser: (text: string) => T[]): T[] {
  try {
    return parser(text ?? '');
  } catch (err) {
    if (err instanceof SelectorError) throw new UsageError('bad-selector', `bad ${what} "${text ?? ''}": ${err.message}`);
    throw err;
  }
}

/** -l parsed, or one line saying what is wrong with it (get and dump). */
export function parseLabelSelection(text: string | undefined): LabelRequirement[] {
  return parseSelectorFlag('label selector', text, parseLabelSelector);
}

/** -l and --field-selector parsed, or one line saying what is wrong with them. */
export function parseSelection(args: GetArgs): Selection {
  return { labels: parseLabelSelection(args.selector), fields: parseSelectorFlag('field selector', args['field-selector'], parseFieldSelector) };
}

/** "group/Kind" of a target's resource, for the fields it can be selected by. */
function groupKind(entry: ResourceEntry): string {
  return `${entry.group}/${entry.kind}`;
}

/** The CRD's selectableFields for its storage version (custom resources). */
function crdSelectableFields(entry: ResourceEntry, crds: readonly JsonObject[]): string[] {
  const crd = crds.find((c) => {
    const spec = c.spec as JsonObject | undefined;
    return spec?.group === entry.group && (spec.names as JsonObject | undefined)?.plural === entry.resource;
  });
  const versions = ((crd?.spec as JsonObject | undefined)?.versions ?? []) as JsonObject[];
  const version = versions.find((v) => v.storage === true) ?? versions[0];
  const fields = (version?.selectableFields ?? []) as JsonObject[];
  return fields.map((f) => String(f.jsonPath ?? '').replace(/^\./, ''));
}

/** A field a kind cannot be selected by is an error before anything is read, as the API makes it. */
export function checkFieldSelector(fields: readonly FieldRequirement[], targets: readonly Target[], crds: readonly JsonObject[]): void {
  for (const { field } of fields) {
    for (const target of targets) {
      const allowed = target.kind === 'list' || target.kind === 'names' ? selectableFields(groupKind(target.resource), crdSelectableFields(target.resource, crds)) : selectableFields('');
      if (!allowed.includes(field)) {
        const what = target.kind === 'list' || target.kind === 'names' ? `"${target.resource.resource}"` : 'every kind';
        throw new UsageError('bad-selector', `field label not supported for ${what}: ${field} (supported: ${allowed.join(', ')})`);
      }
    }
  }
}
