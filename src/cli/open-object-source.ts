/**
 * A side of `kreg diff` from its spec, in one place: `etcd` (the etcd flags, or --snapshot /
 * --data-dir), `snapshot:FILE`, `api` (kubeconfig) or `dir:PATH` (manifests). Each source is
 * imported only when used, so --help stays fast.
 */
import { UsageError } from '../errors.js';
import type { ObjectSource } from '../sources/object-source.js';
import type { CommandContext } from './io.js';
import { decryptorFor, openStore } from './open-store.js';
import type { EncryptionArgs, KubeVersionArgs, NamespaceArgs, SourceArgs } from './options.js';

/** -n is also where namespace-less manifests go (kubectl apply -n); default when not given. */
export interface ObjectSourceArgs extends SourceArgs, NamespaceArgs, EncryptionArgs, KubeVersionArgs {
  kubeconfig: string | undefined;
  context: string | undefined;
}

export const SOURCE_SPECS = 'etcd, api, snapshot:FILE or dir:PATH';

export async function openObjectSource(ctx: CommandContext, spec: string, args: ObjectSourceArgs, label: string): Promise<ObjectSource> {
  const { io } = ctx;
  const { StoredObjectSource } = await import('../sources/object-source.js');
  const prefix = args['etcd-prefix'];
  const decryptor = spec === 'etcd' || spec.startsWith('snapshot:') ? await decryptorFor(args) : undefined;
  // Both stored sides (etcd, snapshot:) are decoded as the --kube-version release.
  const kubeVersion = args['kube-version'];
  const withKeys = { ...(decryptor === undefined ? {} : { decryptor }), ...(kubeVersion === undefined ? {} : { kubeVersion }) };
  if (spec === 'etcd') return new StoredObjectSource(await openStore(ctx, await ctx.openSource(args, io), { prefix, revision: args.revision, label, ...withKeys }));
  if (spec.startsWith('snapshot:')) {
    const { SnapshotSource } = await import('../sources/snapshot/snapshot-source.js');
    // --revision belongs to the etcd side; a snapshot file is read at its own latest revision.
    const source = await SnapshotSource.open(spec.slice('snapshot:'.length), { skipHashCheck: args['skip-hash-check'], bestEffort: args['best-effort'] });
    return new StoredObjectSource(await openStore(ctx, source, { prefix, revision: undefined, label, ...withKeys }));
  }
  if (spec === 'api') {
    const { ApiSource } = await import('../sources/api-source.js');
    return ApiSource.open({
      env: io.env,
      interactive: io.stdin.isTTY === true,
      warn: (line) => io.stderr.write(`${line}\n`),
      ...(args.kubeconfig === undefined ? {} : { kubeconfig: args.kubeconfig }),
      ...(args.context === undefined ? {} : { context: args.context }),
    });
  }
  if (spec.startsWith('dir:')) {
    const { ManifestSource } = await import('../sources/manifest-source.js');
    return ManifestSource.open(spec.slice('dir:'.length), { namespace: args['all-namespaces'] ? undefined : args.namespace });
  }
  throw new UsageError('bad-side', `unknown source "${spec}": use ${SOURCE_SPECS}`);
}
