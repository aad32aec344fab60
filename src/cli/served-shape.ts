/**
 * Resources that share storage with another and are served in their own shape: what is stored is
 * converted to what the API would return for the resource the user named. Today one:
 * events.k8s.io Events, stored as core/v1 Events.
 */
import { coreEventToEventsV1 } from '../codec/events-v1.js';
import type { JsonObject } from '../codec/json-value.js';
import type { ResourceEntry } from '../keys/index.js';

export interface ServedShape {
  /** kubectl's resource name for -o name, e.g. event.events.k8s.io. */
  qualifiedResource: string;
  convert(object: JsonObject): JsonObject;
}

export function servedShape(resource: ResourceEntry | undefined): ServedShape | undefined {
  if (resource?.group !== 'events.k8s.io' || resource.resource !== 'events') return undefined;
  return {
    qualifiedResource: `${resource.singular}.${resource.group}`,
    convert: (object) => (object.apiVersion === 'v1' && object.kind === 'Event' ? coreEventToEventsV1(object) : object),
  };
}
