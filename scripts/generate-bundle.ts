/**
 * Writes proto/kubernetes-v1.36.json, kreg's schema bundle, from the upstream Kubernetes proto
 * definitions and Go JSON facts in ../shared/kubernetes-v1.36, and proto/kubernetes-releases.json,
 * the differences of every older release in ../shared/kubernetes-versions (never copied into the
 * project: only the schema facts are extracted, without comments).
 *
 *   npm run generate                     # rebuild the committed bundle
 *   node dist/scripts/generate-bundle.js --check   # exit 1 if the committed bundle is stale
 */
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import { defaultVersionsDir, generateReleaseDifferences, serializeReleaseDifferences } from './release-differences.js';
import type { BundleField, BundleMessage, GoShape, SchemaBundle, SpecialJson } from '../src/codec/schema.js';

const repoRoot = resolve(fileURLToPath(import.meta.url), '../../..');
export const defaultSharedDir = resolve(repoRoot, '../shared/kubernetes-v1.36');
export const bundlePath = join(repoRoot, 'proto', 'kubernetes-v1.36.json');
export const releasesPath = join(repoRoot, 'proto', 'kubernetes-releases.json');

/**
 * API group of each proto package directory. Group names live in the Go packages' register.go,
 * not in the .proto files, so they are stated here.
 */
const GROUP_OF_PACKAGE_DIR: Record<string, string> = {
  'k8s.io/api/admission': 'admission.k8s.io',
  'k8s.io/api/admissionregistration': 'admissionregistration.k8s.io',
  'k8s.io/api/apidiscovery': 'apidiscovery.k8s.io',
  'k8s.io/api/apiserverinternal': 'internal.apiserver.k8s.io',
  'k8s.io/api/apps': 'apps',
  'k8s.io/api/auditregistration': 'auditregistration.k8s.io',
  'k8s.io/api/authentication': 'authentication.k8s.io',
  'k8s.io/api/authorization': 'authorization.k8s.io',
  'k8s.io/api/autoscaling': 'autoscaling',
  'k8s.io/api/batch': 'batch',
  'k8s.io/api/certificates': 'certificates.k8s.io',
  'k8s.io/api/coordination': 'coordination.k8s.io',
  'k8s.io/api/core': '',
  'k8s.io/api/discovery': 'discovery.k8s.io',
  'k8s.io/api/events': 'events.k8s.io',
  'k8s.io/api/extensions': 'extensions',
  'k8s.io/api/flowcontrol': 'flowcontrol.apiserver.k8s.io',
  'k8s.io/api/imagepolicy': 'imagepolicy.k8s.io',
  'k8s.io/api/networking': 'networking.k8s.io',
  'k8s.io/api/node': 'node.k8s.io',
  'k8s.io/api/policy': 'policy',
  'k8s.io/api/rbac': 'rbac.authorization.k8s.io',
  'k8s.io/api/resource': 'resource.k8s.io',
  'k8s.io/api/scheduling': 'scheduling.k8s.io',
  'k8s.io/api/settings': 'settings.k8s.io',
  'k8s.io/api/storage': 'storage.k8s.io',
  'k8s.io/api/storagemigration': 'storagemigration.k8s.io',
  'k8s.io/apiextensions-apiserver/pkg/apis/apiextensions': 'apiextensions.k8s.io',
  'k8s.io/kube-aggregator/pkg/apis/apiregistration': 'apiregistration.k8s.io',
  'k8s.io/apimachinery/pkg/apis/meta': 'meta.k8s.io',
};

const SHARED_KINDS_PACKAGE = 'k8s.io.apimachinery.pkg.apis.meta.v1';

/** Go types with their own MarshalJSON/UnmarshalJSON, by proto message name. */
const SPECIAL_JSON: Record<string, SpecialJson> = {
  'k8s.io.apimachinery.pkg.apis.meta.v1.Time': 'time',
  'k8s.io.apimachinery.pkg.apis.meta.v1.MicroTime': 'micro-time',
  'k8s.io.apimachinery.pkg.apis.meta.v1.Duration': 'duration',
  'k8s.io.apimachinery.pkg.api.resource.Quantity': 'quantity',
  'k8s.io.apimachinery.pkg.api.resource.QuantityValue': 'quantity',
  'k8s.io.apimachinery.pkg.util.intstr.IntOrString': 'int-or-string',
  'k8s.io.apimachinery.pkg.runtime.RawExtension': 'raw-json',
  'k8s.io.apimachinery.pkg.apis.meta.v1.FieldsV1': 'raw-json',
  'k8s.io.apiextensions_apiserver.pkg.apis.apiextensions.v1.JSON': 'raw-json',
  'k8s.io.apiextensions_apiserver.pkg.apis.apiextensions.v1beta1.JSON': 'raw-json',
  'k8s.io.apiextensions_apiserver.pkg.apis.apiextensions.v1.JSONSchemaPropsOrArray': 'schema-or-array',
  'k8s.io.apiextensions_apiserver.pkg.apis.apiextensions.v1beta1.JSONSchemaPropsOrArray': 'schema-or-array',
  'k8s.io.apiextensions_apiserver.pkg.apis.apiextensions.v1.JSONSchemaPropsOrBool': 'schema-or-bool',
  'k8s.io.apiextensions_apiserver.pkg.apis.apiextensions.v1beta1.JSONSchemaPropsOrBool': 'schema-or-bool',
  'k8s.io.apiextensions_apiserver.pkg.apis.apiextensions.v1.JSONSchemaPropsOrStringArray': 'schema-or-string-array',
  'k8s.io.apiextensions_apiserver.pkg.apis.apiextensions.v1beta1.JSONSchemaPropsOrStringArray': 'schema-or-string-array',
};

/** Named Go []string types carried on the wire as a message with one repeated `items` field. */
function isStringListWrapper(type: protobuf.Type): boolean {
  const fields = type.fieldsArray;
  const only = fields[0];
  return fields.length === 1 && only !== undefined && only.name === 'items' && only.repeated && only.type === 'string';
}

interface GoFieldFact {
  go: string;
  kind: string;
  underlying: string;
  json: string | null;
  omitempty: boolean;
  omitzero: boolean;
  inline: boolean;
  jsonSkip: boolean;
  protoNumber: number | null;
  protoName: string | null;
}

function listProtoFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir).sort()) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) out.push(...listProtoFiles(path));
    else if (entry.endsWith('.proto')) out.push(path);
  }
  return out;
}

function groupVersionOf(protoFile: string, protoRoot: string): { apiVersion: string; packageDir: string } | undefined {
  const rel = relative(protoRoot, protoFile).split(sep).join('/');
  const dir = rel.slice(0, rel.lastIndexOf('/'));
  const version = dir.slice(dir.lastIndexOf('/') + 1);
  const packageDir = dir.slice(0, dir.lastIndexOf('/'));
  const group = GROUP_OF_PACKAGE_DIR[packageDir];
  if (group === undefined) return undefined;
  return { apiVersion: group === '' ? version : `${group}/${version}`, packageDir };
}

function goShapeOf(fact: GoFieldFact | undefined, field: protobuf.Field): GoShape {
  if (fact === undefined) {
    if (field.map || field.repeated) return field.map ? 'map' : 'slice';
    return field.type === 'bytes' ? 'bytes' : 'value';
  }
  switch (fact.kind) {
    case 'pointer':
      return 'pointer';
    case 'slice':
      return 'slice';
    case 'map':
      return 'map';
    case 'bytes':
      return 'bytes';
    case 'named':
      if (fact.underlying === 'slice') return 'slice';
      if (fact.underlying === 'map') return 'map';
      return 'value';
    default:
      return 'value';
  }
}

function typeName(field: protobuf.Field): string {
  if (field.resolvedType !== null) return field.resolvedType.fullName.replace(/^\./, '');
  return field.type;
}

/** Where a bundle's data came from, for its header. */
export interface BundleRelease {
  kubernetesVersion: string;
  sources: string;
}

const NEWEST_RELEASE: BundleRelease = {
  kubernetesVersion: 'v1.36',
  sources: 'kubernetes/api v0.36.3, apimachinery v0.36.3, apiextensions-apiserver v0.36.3, kube-aggregator v0.36.2',
};

export function generateBundle(sharedDir: string = defaultSharedDir, release: BundleRelease = NEWEST_RELEASE): SchemaBundle {
  const protoRoot = join(sharedDir, 'proto');
  const facts = (JSON.parse(readFileSync(join(sharedDir, 'go-json-facts.json'), 'utf8')) as { messages: Record<string, GoFieldFact[]> }).messages;
  const files = listProtoFiles(protoRoot);
  const root = new protobuf.Root();
  root.resolvePath = (_origin: string, target: string) => (target.startsWith(protoRoot) ? target : join(protoRoot, target));
  root.loadSync(files, { keepCase: true });
  root.resolveAll();

  const groupVersions: Record<string, string> = {};
  for (const file of files) {
    const gv = groupVersionOf(file, protoRoot);
    if (gv === undefined) continue;
    const text = readFileSync(file, 'utf8');
    const pkg = /^package\s+([\w.]+)\s*;/m.exec(text)?.[1];
    if (pkg === undefined) throw new Error(`${file}: no package statement`);
    groupVersions[gv.apiVersion] = pkg;
  }

  const messages: Record<string, BundleMessage> = {};
  const visit = (ns: protobuf.NamespaceBase): void => {
    for (const nested of ns.nestedArray) {
      if (nested instanceof protobuf.Type) messages[nested.fullName.replace(/^\./, '')] = bundleMessage(nested, facts);
      if (nested instanceof protobuf.Namespace || nested instanceof protobuf.Type) visit(nested);
      if (nested instanceof protobuf.Enum || nested instanceof protobuf.Service) {
        throw new Error(`unexpected ${nested.constructor.name} ${nested.fullName}: the codec supports messages only`);
      }
    }
  };
  visit(root);

  const sortedMessages: Record<string, BundleMessage> = {};
  for (const name of Object.keys(messages).sort()) sortedMessages[name] = messages[name] as BundleMessage;
  const sortedGroupVersions: Record<string, string> = {};
  for (const gv of Object.keys(groupVersions).sort()) sortedGroupVersions[gv] = groupVersions[gv] as string;

  return {
    header: {
      description: 'kreg schema bundle: Kubernetes API protobuf messages with the JSON-mapping facts of their Go types. Generated; do not edit.',
      kubernetesVersion: release.kubernetesVersion,
      sources: release.sources,
      generator: 'scripts/generate-bundle.ts',
      regenerate: 'npm run generate',
    },
    groupVersions: sortedGroupVersions,
    sharedKindsPackage: SHARED_KINDS_PACKAGE,
    messages: sortedMessages,
  };
}

function bundleMessage(type: protobuf.Type, allFacts: Record<string, GoFieldFact[]>): BundleMessage {
  const name = type.fullName.replace(/^\./, '');
  if (type.oneofsArray.length > 0) throw new Error(`${name}: oneof is not supported`);
  const facts = allFacts[name];
  const factByNumber = new Map<number, GoFieldFact>();
  for (const f of facts ?? []) if (f.protoNumber !== null) factByNumber.set(f.protoNumber, f);

  // JSON keys follow Go declaration order, which the facts list keeps; fields without facts
  // (types with custom JSON) keep proto order.
  const ordered = [...type.fieldsArray].sort((a, b) => {
    const ia = facts?.findIndex((f) => f.protoNumber === a.id) ?? -1;
    const ib = facts?.findIndex((f) => f.protoNumber === b.id) ?? -1;
    return ia === ib ? a.id - b.id : ia - ib;
  });

  const fields: BundleField[] = ordered.map((field) => {
    const fact = factByNumber.get(field.id);
    const out: BundleField = { name: field.name, number: field.id, type: typeName(field), go: goShapeOf(fact, field) };
    if (field instanceof protobuf.MapField) out.mapKey = field.keyType as BundleField['mapKey'] & string;
    else if (field.repeated) out.repeated = true;
    if (fact === undefined) {
      out.json = field.name;
    } else if (fact.jsonSkip) {
      out.skip = true;
    } else if (fact.inline || fact.json === null || fact.json === '') {
      out.inline = true;
    } else {
      out.json = fact.json;
    }
    if (fact?.omitempty === true) out.omitempty = true;
    if (fact?.omitzero === true) out.omitzero = true;
    return normalizeFieldKeys(out);
  });

  const message: BundleMessage = { fields };
  const special = SPECIAL_JSON[name] ?? (isStringListWrapper(type) && facts === undefined ? 'string-list' : undefined);
  if (special !== undefined) message.special = special;
  return message;
}

/** One key order for every field record, so the bundle diffs cleanly. */
function normalizeFieldKeys(f: BundleField): BundleField {
  const order: (keyof BundleField)[] = ['name', 'number', 'type', 'repeated', 'mapKey', 'json', 'inline', 'skip', 'omitempty', 'omitzero', 'go'];
  const out: Record<string, unknown> = {};
  for (const k of order) if (f[k] !== undefined) out[k] = f[k];
  return out as unknown as BundleField;
}

/** The bundle as committed: one message per line keeps it compact yet reviewable in diffs. */
export function serializeBundle(bundle: SchemaBundle): string {
  const lines: string[] = ['{'];
  lines.push(`"header": ${JSON.stringify(bundle.header)},`);
  lines.push(`"groupVersions": ${JSON.stringify(bundle.groupVersions)},`);
  lines.push(`"sharedKindsPackage": ${JSON.stringify(bundle.sharedKindsPackage)},`);
  lines.push('"messages": {');
  const names = Object.keys(bundle.messages);
  names.forEach((name, i) => {
    lines.push(`${JSON.stringify(name)}: ${JSON.stringify(bundle.messages[name])}${i < names.length - 1 ? ',' : ''}`);
  });
  lines.push('}');
  lines.push('}');
  return lines.join('\n') + '\n';
}

/** Every file the generator writes, with its text: the newest bundle and the older releases' differences. */
export function generatedFiles(sharedDir: string = defaultSharedDir): { path: string; text: string }[] {
  const newest = generateBundle(sharedDir);
  return [
    { path: bundlePath, text: serializeBundle(newest) },
    { path: releasesPath, text: serializeReleaseDifferences(generateReleaseDifferences(newest, defaultVersionsDir(sharedDir))) },
  ];
}

function main(): void {
  const check = process.argv.includes('--check');
  for (const { path, text } of generatedFiles()) {
    if (check) {
      let committed = '';
      try {
        committed = readFileSync(path, 'utf8');
      } catch {
        // missing counts as stale
      }
      if (committed !== text) {
        console.error(`${relative(process.cwd(), path)} is stale: run npm run generate`);
        process.exitCode = 1;
      }
      continue;
    }
    writeFileSync(path, text);
    console.log(`wrote ${relative(process.cwd(), path)}: ${text.length} bytes`);
  }
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
