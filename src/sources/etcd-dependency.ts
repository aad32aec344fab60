/**
 * etcd3 and @grpc/grpc-js are optional dependencies: npm installs them by default (so
 * `npm i -g kreg` reads live etcd), but a library user who only decodes can leave them out with
 * `npm i kreg --omit=optional` (they are most of the install). Live-etcd code loads them through
 * here, so that their absence is one clear line instead of a module-resolution stack.
 */
import { KregError } from '../errors.js';

/** A package kreg needs for what was asked is not installed. */
export class MissingDependencyError extends KregError {
  override name = 'MissingDependencyError';
}

function isMissing(err: unknown, name: string): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && err instanceof Error && err.message.includes(`'${name}'`);
}

async function importOptional<T>(name: string, load: () => Promise<T>, purpose = 'live etcd'): Promise<T> {
  try {
    return await load();
  } catch (err) {
    if (isMissing(err, name)) throw new MissingDependencyError('missing-dependency', `${purpose} needs the optional dependency ${name}; install it with npm install ${name}`);
    throw err;
  }
}

export function importEtcd3(): Promise<typeof import('etcd3')> {
  return importOptional('etcd3', () => import('etcd3'));
}

/** @param purpose what needs it, for the message when it is missing (live etcd, a KMS plugin). */
export function importGrpc(purpose?: string): Promise<typeof import('@grpc/grpc-js')> {
  return importOptional('@grpc/grpc-js', () => import('@grpc/grpc-js'), purpose);
}

/** etcd3 when installed, else undefined (for code that only recognises its errors). */
export async function etcd3IfInstalled(): Promise<typeof import('etcd3') | undefined> {
  try {
    return await importEtcd3();
  } catch (err) {
    if (err instanceof MissingDependencyError) return undefined;
    throw err;
  }
}
