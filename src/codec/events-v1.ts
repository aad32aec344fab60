/**
 * events.k8s.io/v1 Events are stored as core/v1 Events (under /registry/events); kube-apiserver
 * converts each one when it is read through the events.k8s.io group. This is that conversion on
 * decoded JSON, field for field as upstream's Convert_core_Event_To_v1_Event makes it, with
 * encoding/json's rules for the v1 type: eventTime and the deprecated timestamps are null when
 * unset, regarding and deprecatedSource are always present, empty strings and a zero
 * deprecatedCount are left out. Pure.
 */
import type { JsonObject, JsonValue } from './json-value.js';

/** Fields copied as they are (core and events.k8s.io name them alike). */
const SAME_NAME = ['reason', 'type', 'action', 'reportingInstance'] as const;

function present(value: JsonValue | undefined): value is JsonValue {
  return value !== undefined && value !== null && value !== '';
}

/** A core/v1 Event (as decoded from etcd) in the events.k8s.io/v1 shape the API serves. */
export function coreEventToEventsV1(event: JsonObject): JsonObject {
  const out: JsonObject = { apiVersion: 'events.k8s.io/v1', kind: 'Event', metadata: event.metadata ?? {} };
  out.eventTime = event.eventTime ?? null;
  const series = event.series;
  if (series !== null && typeof series === 'object' && !Array.isArray(series)) {
    const { count, lastObservedTime } = series as JsonObject;
    out.series = { count: count ?? 0, lastObservedTime: lastObservedTime ?? null };
  }
  if (present(event.reportingComponent)) out.reportingController = event.reportingComponent;
  for (const field of SAME_NAME) if (present(event[field])) out[field] = event[field];
  out.regarding = event.involvedObject ?? {};
  if (present(event.related)) out.related = event.related;
  if (present(event.message)) out.note = event.message;
  out.deprecatedSource = event.source ?? {};
  out.deprecatedFirstTimestamp = event.firstTimestamp ?? null;
  out.deprecatedLastTimestamp = event.lastTimestamp ?? null;
  if (present(event.count) && event.count !== 0) out.deprecatedCount = event.count;
  return out;
}
