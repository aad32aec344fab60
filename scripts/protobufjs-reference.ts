/**
 * The reference the codec's speed is measured against: protobufjs's generic decoder (the code it
 * generates from the same upstream .proto files) reading the same stored values, envelope and
 * runtime.Unknown included. It only parses the wire into message objects; kreg's decode also
 * applies Go's JSON rules, so equal speed means kreg's extra work costs nothing.
 * Build-time only: protobufjs is a devDependency.
 */
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import protobuf from 'protobufjs';
import { loadSchema } from '../src/schema-bundle.js';

const ENVELOPE = 4; // "k8s\0"

/** Every .proto under `dir`, relative to `root`. */
function protoFiles(root: string, dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return protoFiles(root, path);
    return entry.name.endsWith('.proto') ? [relative(root, path)] : [];
  });
}

/**
 * A decoder for stored values of the given types, built from the .proto files under
 * `protoRoot` (../shared/kubernetes-v1.36/proto), one per type.
 */
export function protobufjsDecoders(protoRoot: string, types: readonly { apiVersion: string; kind: string }[]): ((value: Uint8Array) => unknown)[] {
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => join(protoRoot, target);
  root.loadSync(protoFiles(protoRoot, protoRoot), { keepCase: true });
  root.resolveAll();
  const unknown = root.lookupType('k8s.io.apimachinery.pkg.runtime.Unknown');
  const schema = loadSchema();
  return types.map(({ apiVersion, kind }) => {
    const name = schema.kindMessage(apiVersion, kind)?.name;
    if (name === undefined) throw new Error(`protobufjs reference: no message for ${apiVersion} ${kind}`);
    const type = root.lookupType(name);
    return (value: Uint8Array) => {
      const wrapper = unknown.decode(value.subarray(ENVELOPE)) as unknown as { raw: Uint8Array };
      return type.decode(wrapper.raw);
    };
  });
}
