/**
 * kreg keys: etcd keys ⇄ resources ⇄ REST paths, from the built-in registry (and, for explain, a cluster's CRDs when an etcd or snapshot is named).
 *   kreg keys explain KEY            what an etcd key (or API path / URL) holds, and where the API serves it
 *   kreg keys for RESOURCE [NAME]    the etcd key (or listing prefix) of a kubectl-style resource
 *   kreg keys list                   the built-in resources and their etcd prefixes
 */
import type { CommandModule } from 'yargs';
import type { CommandContext } from '../io.js';
import { withStore } from '../open-store.js';
import { namesSource, withPrefixOption, withSourceOptions, type SourceArgs } from '../options.js';
import type { JsonObject, JsonValue } from '../../codec/json-value.js';
import {
  apiPathOf,
  apiVersionOf,
  builtinRegistry,
  describeKey,
  keyForEntry,
  parseKey,
  parseRestPath,
  resolveResource,
  restPathForEntry,
  restPathForKey,
  scopeOf,
  type ParsedKey,
  type ResourceEntry,
  type ResourceRegistry,
} from '../../keys/index.js';
import { formatJson, formatObject } from '../output.js';

type Format = 'text' | 'yaml' | 'json';

/** Fields in display order; undefined values are left out. */
type Fields = [string, string | boolean | readonly string[] | undefined][];

function toObject(fields: Fields): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of fields) if (v !== undefined) out[k] = (Array.isArray(v) ? [...v] : v) as JsonValue;
  return out;
}

/** A readable `field: value` block, in the given order. */
function toText(fields: Fields): string {
  const shown = fields.filter(([, v]) => v !== undefined);
  const width = Math.max(...shown.map(([k]) => k.length)) + 2;
  return shown
    .map(([k, v]) => `${`${k}:`.padEnd(width)}${Array.isArray(v) ? v.join(', ') : String(v)}\n`)
    .join('');
}

function print(ctx: CommandContext, fields: Fields, format: Format): void {
  ctx.io.stdout.write(format === 'text' ? toText(fields) : formatObject(toObject(fields), format));
}

function groupName(group: string): string {
  return group === '' ? 'core' : group;
}

/** Whether the argument is an API path, URL or kubectl get --raw rather than an etcd key. */
function looksLikeRestPath(input: string, prefix: string): boolean {
  const text = input.trim();
  if (/^kubectl\s/.test(text) || /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//.test(text)) return true;
  if (prefix !== '' && (text === prefix || text.startsWith(`${prefix}/`))) return false;
  return /^\/apis?\//.test(apiPathOf(text));
}

function explainFields(parsed: ParsedKey, prefix: string, restPath: string | undefined, input: string | undefined, registry: ResourceRegistry): Fields {
  const given: Fields = input === undefined ? [] : [['input', input]];
  switch (parsed.type) {
    case 'special': {
      const value = parsed.special.rule.value;
      return [
        ...given,
        ['etcdKey', parsed.key],
        ['type', 'special'],
        ['id', parsed.special.rule.id],
        ['value', value.format === 'object' ? `${value.apiVersion} ${value.kind}` : value.description],
        ['expiry', parsed.special.rule.expiry],
        ['explanation', parsed.special.description],
      ];
    }
    case 'aggregated': {
      let rest: string | undefined;
      try {
        rest = restPath ?? restPathForKey(parsed.key, { prefix, registry });
      } catch {
        rest = undefined;
      }
      return [
        ...given,
        ['etcdKey', parsed.key],
        ['type', 'aggregated'],
        ['group', parsed.group],
        ['versions', parsed.versions],
        ['resource', parsed.resource],
        ['namespace', parsed.namespace],
        ['name', parsed.name],
        ['restPath', rest === undefined ? undefined : `GET ${rest}`],
        ['explanation', describeKey(parsed)],
      ];
    }
    case 'listing':
    case 'object': {
      const rest = restPath ?? restPathForKey(parsed.key, { prefix, registry });
      return [
        ...given,
        ['etcdKey', parsed.key],
        ['type', parsed.type],
        ['group', groupName(parsed.group)],
        ['version', parsed.version],
        ['apiVersion', apiVersionOf(parsed.group, parsed.version)],
        ['resource', parsed.resource],
        ['kind', parsed.kind],
        ['scope', parsed.scope],
        ['namespace', parsed.namespace],
        ['name', parsed.type === 'object' ? parsed.name : undefined],
        ['restPath', `GET ${rest}`],
        ['explanation', describeKey(parsed)],
        ['note', parsed.entry.note],
      ];
    }
  }
}

interface ExplainArgs extends SourceArgs {
  /** Named target, not key: --key is etcdctl's client-key flag. */
  target: string;
  output: Format;
}

/**
 * Built-in resources, plus the custom resources and aggregated groups of a cluster when a live etcd
 * or a snapshot is named: explain works offline for learning, and knows a cluster's CRDs when asked.
 */
function registryFor(ctx: CommandContext, args: SourceArgs): Promise<ResourceRegistry> {
  if (!namesSource(args)) return Promise.resolve(builtinRegistry());
  return withStore(ctx, args, (store) => Promise.resolve(store.registry));
}

const explainCommand = (ctx: CommandContext): CommandModule<object, ExplainArgs> => ({
  command: 'explain <target>',
  describe: 'What an etcd key (or API path, URL, kubectl get --raw path) holds, and the REST path serving it',
  builder: (y) =>
    withSourceOptions(y)
      .positional('target', { type: 'string', demandOption: true, describe: 'etcd key, API path, full URL or kubectl get --raw path' })
      .option('output', { alias: 'o', choices: ['text', 'yaml', 'json'] as const, default: 'text' as const, describe: 'output format' })
      .example('$0 keys explain /registry/example.com/widgets/shop/w1 --snapshot backup.db', 'custom resources are known from the CRDs in an etcd or snapshot')
      .example('$0 keys explain /registry/services/specs/default/kubernetes', 'the key of: kubectl get --raw /api/v1/namespaces/default/services/kubernetes')
      .example('$0 keys explain /api/v1/namespaces/default/services/kubernetes', 'the key of: etcdctl get /registry/services/specs/default/kubernetes')
      .example("$0 keys explain 'https://127.0.0.1:6443/apis/apps/v1/namespaces/shop/deployments/web?pretty' -o json", 'full URLs are accepted'),
  handler: async (args) => {
    const prefix = args['etcd-prefix'];
    const registry = await registryFor(ctx, args);
    if (looksLikeRestPath(args.target, prefix)) {
      const rest = parseRestPath(args.target, { prefix, registry });
      if (rest.type === 'aggregated') {
        print(
          ctx,
          [
            ['input', args.target],
            ['type', 'aggregated'],
            ['group', rest.group],
            ['version', rest.version],
            ['resource', rest.resource],
            ['namespace', rest.namespace],
            ['name', rest.name],
            ['restPath', `GET ${rest.restPath}`],
            ['explanation', `Served by the aggregated API server behind ${rest.apiServices.map((s) => `${s.service.namespace}/${s.service.name}`).join(', ')}: nothing is kept in kube-apiserver's etcd.`],
          ],
          args.output,
        );
        return;
      }
      const parsed = parseKey(rest.etcdKey, { prefix, registry });
      const fields = explainFields(parsed, prefix, rest.restPath, args.target, registry);
      if (!rest.versionServed) fields.push(['warning', `${rest.version} is not a version this kube-apiserver serves for ${rest.resource}`]);
      if (rest.subresource !== undefined) fields.push(['subresource', rest.subresource]);
      print(ctx, fields, args.output);
      return;
    }
    print(ctx, explainFields(parseKey(args.target.trim(), { prefix, registry }), prefix, undefined, undefined, registry), args.output);
  },
});

interface ForArgs extends SourceArgs {
  resource: string;
  name: string | undefined;
  namespace: string | undefined;
  output: Format;
}

const forCommand = (ctx: CommandContext): CommandModule<object, ForArgs> => ({
  command: 'for <resource> [name]',
  describe: 'The etcd key of a kubectl-style resource and name (the listing prefix without a name)',
  builder: (y) =>
    withSourceOptions(y)
      .positional('resource', { type: 'string', demandOption: true, describe: 'plural, singular, short name or resource.group, as kubectl takes' })
      .positional('name', { type: 'string', describe: 'object name; without it, the prefix that lists them' })
      .option('namespace', { alias: 'n', type: 'string', requiresArg: true, describe: 'namespace (default "default" when a namespaced object is named)' })
      .option('output', { alias: 'o', choices: ['text', 'yaml', 'json'] as const, default: 'text' as const, describe: 'output format' })
      .example('$0 keys for svc kubernetes -n default', 'etcdctl get /registry/services/specs/default/kubernetes')
      .example('$0 keys for widgets.example.com -n shop --snapshot backup.db', 'custom resources are known from the CRDs in an etcd or snapshot')
      .example('$0 keys for deployments.apps -n shop', 'etcdctl get --prefix --keys-only /registry/deployments/shop/')
      .example('$0 keys for nodes', 'etcdctl get --prefix --keys-only /registry/minions/'),
  handler: async (args) => {
    const prefix = args['etcd-prefix'];
    const entry = resolveResource(args.resource, { registry: await registryFor(ctx, args) });
    // Like kubectl: -n is ignored for cluster-scoped resources, and a named namespaced object is in "default".
    const namespace = entry.namespaced ? (args.namespace ?? (args.name === undefined ? undefined : 'default')) : undefined;
    const where = { ...(namespace === undefined ? {} : { namespace }), ...(args.name === undefined ? {} : { name: args.name }) };
    const key = keyForEntry(entry, where, prefix);
    print(
      ctx,
      [
        ['etcdKey', key],
        ['type', args.name === undefined ? 'listing' : 'object'],
        ['group', groupName(entry.group)],
        ['version', entry.storageVersion],
        ['resource', entry.resource],
        ['kind', entry.kind],
        ['scope', scopeOf(entry)],
        ['namespace', namespace],
        ['name', args.name],
        ['restPath', `GET ${restPathForEntry(entry, where)}`],
        ['note', entry.note],
      ],
      args.output,
    );
  },
});

interface ListArgs {
  output: 'text' | 'json';
  retired: boolean;
  'etcd-prefix': string;
}

function listRow(entry: ResourceEntry, prefix: string): JsonObject {
  const row: JsonObject = {
    resource: entry.resource,
    group: entry.group,
    kind: entry.kind,
    namespaced: entry.namespaced,
    storageVersion: entry.storageVersion,
    etcdPrefix: `${prefix}/${entry.storagePath}/`,
  };
  if (entry.storedAs !== undefined) row['storedAs'] = `${entry.storedAs.resource}${entry.storedAs.group === '' ? '' : `.${entry.storedAs.group}`}`;
  if (entry.removedIn !== undefined) row['removedIn'] = entry.removedIn;
  return row;
}

const listCommand = (ctx: CommandContext): CommandModule<object, ListArgs> => ({
  command: 'list',
  describe: 'The built-in resources kube-apiserver stores, with their storage versions and etcd prefixes',
  builder: (y) =>
    withPrefixOption(y)
      .option('output', { alias: 'o', choices: ['text', 'json'] as const, default: 'text' as const, describe: 'output format' })
      .option('retired', { type: 'boolean', default: false, describe: 'also list resources no longer served, whose keys may remain' })
      .example('$0 keys list', 'like kubectl api-resources, with where each resource lives in etcd')
      .example('$0 keys list -o json', 'an array of objects'),
  handler: (args) => {
    const prefix = args['etcd-prefix'];
    const entries = builtinRegistry().resources.filter((e) => e.origin === 'builtin' || (args.retired && e.origin === 'retired'));
    const rows = entries.map((e) => listRow(e, prefix));
    if (args.output === 'json') {
      ctx.io.stdout.write(`${formatJson(rows)}\n`);
      return;
    }
    const header = ['RESOURCE', 'GROUP', 'KIND', 'NAMESPACED', 'STORAGE VERSION', 'ETCD PREFIX'];
    const cells = entries.map((e) => [e.resource, e.group, e.kind, String(e.namespaced), e.storageVersion, `${prefix}/${e.storagePath}/`]);
    const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? '').length)));
    const line = (c: readonly string[]): string =>
      `${c.map((v, i) => (i === c.length - 1 ? v : v.padEnd((widths[i] ?? 0) + 3))).join('')}\n`;
    ctx.io.stdout.write([header, ...cells].map(line).join(''));
  },
});

export const keysCommand = (ctx: CommandContext): CommandModule<object, object> => ({
  command: 'keys <command>',
  describe: 'Map etcd keys ⇄ resources ⇄ REST paths (offline; explain and for learn CRDs from --endpoints or --snapshot)',
  builder: (y) =>
    y
      .command(explainCommand(ctx))
      .command(forCommand(ctx))
      .command(listCommand(ctx))
      .demandCommand(1, 'name a keys command: explain, for or list'),
  handler: () => undefined,
});
