/**
 * kreg keys: etcd keys ⇄ resources ⇄ REST paths, from the built-in registry, and a cluster's CRDs when an etcd or snapshot is named.
 *   kreg keys explain KEY            what an etcd key (or API path / URL) holds, and where the API serves it
 *   kreg keys for RESOURCE [NAME]    the etcd key (or listing prefix) of a kubectl-style resource
 *   kreg keys list                   the built-in resources and their etcd prefixes
 */
import type { CommandModule } from 'yargs';
import type { JsonObject } from '../../codec/json-value.js';
import { builtinRegistry, keyForEntry, resolveResource, restPathForEntry, scopeOf, type ResourceEntry } from '../../keys/index.js';
import { FIELD_FORMATS, groupName, printFields, type FieldFormat } from '../fields.js';
import type { CommandContext } from '../io.js';
import { withPrefixOption, withSourceOptions, type SourceArgs } from '../options.js';
import { formatJson } from '../../format/object-text.js';
import { formatTable } from '../../format/table.js';
import { explainCommand, registryFor } from './keys-explain.js';
import { COMMANDS } from '../command-index.js';

interface ForArgs extends SourceArgs {
  resource: string;
  name: string | undefined;
  namespace: string | undefined;
  output: FieldFormat;
}

const forCommand = (ctx: CommandContext): CommandModule<object, ForArgs> => ({
  command: 'for <resource> [name]',
  describe: 'The etcd key of a kubectl-style resource and name (the listing prefix without a name)',
  builder: (y) =>
    withSourceOptions(y)
      .positional('resource', { type: 'string', demandOption: true, describe: 'plural, singular, short name or resource.group, as kubectl takes' })
      .positional('name', { type: 'string', describe: 'object name; without it, the prefix that lists them' })
      .option('namespace', { alias: 'n', type: 'string', requiresArg: true, describe: 'namespace (default "default" when a namespaced object is named)' })
      .option('output', { alias: 'o', choices: FIELD_FORMATS, default: 'text' as FieldFormat, requiresArg: true, describe: 'output format' })
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
    printFields(
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
    ctx.io.stdout.write(formatTable(header, cells));
  },
});

export const keysCommand = (ctx: CommandContext): CommandModule<object, object> => ({
  command: COMMANDS.keys.usage,
  describe: COMMANDS.keys.describe,
  builder: (y) => y.command(explainCommand(ctx)).command(forCommand(ctx)).command(listCommand(ctx)).demandCommand(1, 'name a keys command: explain, for or list'),
  handler: () => undefined,
});
