/**
 * decode() types `object` as KubernetesObject; these check that the typed fields hold at run
 * time: a protobuf object with every typed metadata field passes, and a JSON value written
 * behind kube-apiserver's back with a mistyped field is refused, naming the field.
 */
import assert from 'node:assert/strict';
import { decode, encode, DecodeError, type KubernetesObject, type ObjectMeta } from '../src/index.js';

const json = (text: string): Uint8Array => new TextEncoder().encode(text);

describe('KubernetesObject: decode types and checks metadata', function () {
  it('gives typed metadata for a protobuf object (every typed field)', function () {
    const meta = {
      name: 'web-1',
      namespace: 'shop',
      uid: 'u-1',
      labels: { app: 'web' },
      annotations: { 'example.com/x': 'y' },
      finalizers: ['example.com/keep'],
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: 'u-0', controller: true, blockOwnerDeletion: true }],
    };
    const decoded = decode(encode({ apiVersion: 'v1', kind: 'Pod', metadata: meta, spec: { containers: [{ name: 'c', image: 'i' }] } }));
    const object: KubernetesObject | undefined = decoded.object;
    const metadata: ObjectMeta | undefined = object?.metadata;
    // Typed access: these compile as string / string[] / boolean without casts.
    const name: string | undefined = metadata?.name;
    const app: string | undefined = metadata?.labels?.['app'];
    const controller: boolean | undefined = metadata?.ownerReferences?.[0]?.controller;
    assert.equal(name, 'web-1');
    assert.equal(app, 'web');
    assert.equal(controller, true);
    assert.deepEqual(metadata?.finalizers, ['example.com/keep']);
  });

  it('refuses a JSON value whose typed metadata field has another type, naming the field', function () {
    const cases: [string, string, string][] = [
      ['{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":5}}', 'metadata.name', 'a number'],
      ['{"apiVersion":"v1","kind":"ConfigMap","metadata":{"labels":{"a.b/c":true}}}', 'metadata.labels["a.b/c"]', 'a boolean'],
      ['{"apiVersion":"v1","kind":"ConfigMap","metadata":"x"}', 'metadata', 'a string'],
      ['{"apiVersion":1,"kind":"ConfigMap"}', 'apiVersion', 'a number'],
      ['{"kind":"X","metadata":{"ownerReferences":[{"apiVersion":"v1","kind":"K","name":"n"}]}}', 'metadata.ownerReferences[0].uid', 'missing'],
    ];
    for (const [text, path, found] of cases) {
      assert.throws(
        () => decode(json(text)),
        (err: unknown) => err instanceof DecodeError && err.code === 'bad-object-meta' && err.subject.path === path && err.message.endsWith(`not ${found}`),
        text,
      );
    }
  });

  it('accepts objects without metadata, and untyped fields of any JSON type', function () {
    const decoded = decode(json('{"apiVersion":"v1","kind":"List","items":[],"x":{"metadata":5}}'));
    assert.equal(decoded.object?.metadata, undefined);
    const withGeneration = decode(json('{"kind":"X","metadata":{"generation":3,"managedFields":[{"manager":"m"}],"creationTimestamp":null}}'));
    assert.equal(withGeneration.object?.metadata?.['generation'], 3);
  });
});
