/**
 * events.k8s.io/v1 Events: stored as core/v1 Events, shown in the shape kube-apiserver serves for
 * that group (upstream's Convert_core_Event_To_v1_Event, encoded as encoding/json writes the v1 type).
 */
import assert from 'node:assert/strict';
import { coreEventToEventsV1 } from '../src/codec/events-v1.js';
import type { JsonObject } from '../src/codec/json-value.js';
import { encode } from '../src/index.js';
import { MemorySource } from '../src/sources/memory-source.js';
import { runKreg } from './support/run-cli.js';

// Thirty days ago: kubectl's age reads "30d" for a whole day, so a slow run cannot change the expected row.
const MONTH_AGO = new Date(Date.now() - 30 * 86_400_000).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** An Event as `kubectl create` or the kubelet's old recorder writes it: core fields only. */
const oldStyle: JsonObject = {
  apiVersion: 'v1',
  kind: 'Event',
  metadata: { name: 'web.1', namespace: 'shop', creationTimestamp: MONTH_AGO },
  involvedObject: { apiVersion: 'v1', kind: 'Pod', name: 'web', namespace: 'shop', uid: 'u-1', fieldPath: 'spec.containers{app}' },
  reason: 'Started',
  message: 'Started container app',
  source: { component: 'kubelet', host: 'n1' },
  firstTimestamp: MONTH_AGO,
  lastTimestamp: MONTH_AGO,
  count: 3,
  type: 'Normal',
};

/** An Event from the events.k8s.io recorder: eventTime, series, reporting fields, no deprecated ones. */
const newStyle: JsonObject = {
  apiVersion: 'v1',
  kind: 'Event',
  metadata: { name: 'web.2', namespace: 'shop', creationTimestamp: MONTH_AGO },
  involvedObject: { kind: 'Deployment', name: 'web', namespace: 'shop', apiVersion: 'apps/v1' },
  related: { kind: 'ReplicaSet', name: 'web-1', namespace: 'shop' },
  reason: 'ScalingReplicaSet',
  message: 'Scaled up',
  eventTime: '2026-01-01T00:00:00.123456Z',
  series: { count: 2, lastObservedTime: '2026-01-01T00:05:00.000001Z' },
  action: 'Scale',
  reportingComponent: 'deployment-controller',
  reportingInstance: 'kcm-1',
  type: 'Normal',
};

describe('events.k8s.io/v1 Events', function () {
  it('maps every core field to its events.k8s.io/v1 name, as upstream converts them', function () {
    assert.deepEqual(coreEventToEventsV1(oldStyle), {
      apiVersion: 'events.k8s.io/v1',
      kind: 'Event',
      metadata: oldStyle.metadata,
      eventTime: null,
      reason: 'Started',
      type: 'Normal',
      regarding: oldStyle.involvedObject,
      note: 'Started container app',
      deprecatedSource: { component: 'kubelet', host: 'n1' },
      deprecatedFirstTimestamp: MONTH_AGO,
      deprecatedLastTimestamp: MONTH_AGO,
      deprecatedCount: 3,
    });
    assert.deepEqual(coreEventToEventsV1(newStyle), {
      apiVersion: 'events.k8s.io/v1',
      kind: 'Event',
      metadata: newStyle.metadata,
      eventTime: '2026-01-01T00:00:00.123456Z',
      series: { count: 2, lastObservedTime: '2026-01-01T00:05:00.000001Z' },
      reportingController: 'deployment-controller',
      reportingInstance: 'kcm-1',
      action: 'Scale',
      reason: 'ScalingReplicaSet',
      type: 'Normal',
      regarding: newStyle.involvedObject,
      related: newStyle.related,
      note: 'Scaled up',
      deprecatedSource: {},
      deprecatedFirstTimestamp: null,
      deprecatedLastTimestamp: null,
    });
  });

  describe('kreg get', function () {
    let source: MemorySource;
    /** The revision web.1 was written at: its resourceVersion. */
    let written: number;
    before(function () {
      source = new MemorySource({ description: 'memory' });
      written = source.put('/registry/events/shop/web.1', encode(oldStyle));
      source.put('/registry/events/shop/web.2', encode(newStyle));
    });
    const get = (...args: string[]) => runKreg(['get', ...args, '-n', 'shop'], { source });

    it('events.events.k8s.io and events.v1.events.k8s.io print the events.k8s.io/v1 shape', async function () {
      for (const resource of ['events.events.k8s.io', 'events.v1.events.k8s.io']) {
        const r = await get(resource, 'web.1', '-o', 'json');
        assert.equal(r.code, 0, r.stderr);
        const got = JSON.parse(r.stdout.toString()) as JsonObject;
        const expected = coreEventToEventsV1({ ...oldStyle, metadata: { ...(oldStyle.metadata as JsonObject), resourceVersion: String(written) } });
        assert.deepEqual(got, expected, resource);
      }
      const listed = JSON.parse((await get('events.events.k8s.io', '-o', 'json', '--workers', '2')).stdout.toString()) as { items: JsonObject[] };
      assert.deepEqual(
        listed.items.map((i) => [i.apiVersion, i.note]),
        [
          ['events.k8s.io/v1', 'Started container app'],
          ['events.k8s.io/v1', 'Scaled up'],
        ],
      );
      assert.equal((await get('events.events.k8s.io', '-o', 'jsonpath={.items[*].reportingController}')).stdout.toString(), 'deployment-controller');
    });

    it('core events stay core; names and tables say which group was asked for', async function () {
      const core = JSON.parse((await get('ev', 'web.1', '-o', 'json')).stdout.toString()) as JsonObject;
      assert.equal(core.apiVersion, 'v1');
      assert.equal(core.message, 'Started container app');
      assert.deepEqual((await get('events.events.k8s.io', '-o', 'name')).stdout.toString(), 'event.events.k8s.io/web.1\nevent.events.k8s.io/web.2\n');
      const table = (await get('events.events.k8s.io', '--show-kind')).stdout.toString().split('\n');
      assert.match(table[0] ?? '', /^LAST SEEN +TYPE +REASON +OBJECT +MESSAGE$/);
      assert.match(table[1] ?? '', /^30d +Normal +Started +pod\/web +Started container app$/);
    });
  });
});
