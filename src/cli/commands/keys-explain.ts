/**
 * kreg keys explain KEY|PATH|URL: what an etcd key (or API path, URL, kubectl get --raw path)
 * holds, and the REST path serving it; knows a cluster's CRDs when an etcd or snapshot is named.
 */
import type { CommandModule } from 'yargs';
import { apiPathOf, apiVersionOf, builtinRegistry, describeKey, parseKey, parseRestPath, restPathForKey, type ParsedKey, type ResourceRegistry } from '../../keys/index.js';
import { FIELD_FORMATS, groupName, printFields, type FieldFormat, type Fields } from '../fields.js';
import type { CommandContext } from '../io.js';
import { withStore } from '../open-store.js';
import { namesSource, withSourceOptions, type SourceArgs } from '../options.js';

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
  output: FieldFormat;
}

/**
 * Built-in resources, plus the custom resources and aggregated groups of a cluster when a live etcd
 * or a snapshot is named: explain works offline for learning, and knows a cluster's CRDs when asked.
 */
export function registryFor(ctx: CommandContext, args: SourceArgs): Promise<ResourceRegistry> {
  if (!namesSource(args)) return Promise.resolve(builtinRegistry());
  return withStore(ctx, args, (store) => Promise.resolve(store.registry), { detectRelease: false });
}

export const explainCommand = (ctx: CommandContext): CommandModule<object, ExplainArgs> => ({
  command: 'explain <target>',
  describe: 'What an etcd key (or API path, URL, kubectl get --raw path) holds, and the REST path serving it',
  builder: (y) =>
    withSourceOptions(y)
      .positional('target', { type: 'string', demandOption: true, describe: 'etcd key, API path, full URL or kubectl get --raw path' })
      .option('output', { alias: 'o', choices: FIELD_FORMATS, default: 'text' as FieldFormat, requiresArg: true, describe: 'output format' })
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
        printFields(
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
            [
              'explanation',
              `Served by the aggregated API server behind ${rest.apiServices.map((s) => `${s.service.namespace}/${s.service.name}`).join(', ')}: nothing is kept in kube-apiserver's etcd.`,
            ],
          ],
          args.output,
        );
        return;
      }
      const parsed = parseKey(rest.etcdKey, { prefix, registry });
      const fields = explainFields(parsed, prefix, rest.restPath, args.target, registry);
      if (!rest.versionServed) fields.push(['warning', `${rest.version} is not a version this kube-apiserver serves for ${rest.resource}`]);
      if (rest.subresource !== undefined) fields.push(['subresource', rest.subresource]);
      printFields(ctx, fields, args.output);
      return;
    }
    printFields(ctx, explainFields(parseKey(args.target.trim(), { prefix, registry }), prefix, undefined, undefined, registry), args.output);
  },
});
