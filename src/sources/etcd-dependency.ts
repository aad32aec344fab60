/**
 * @grpc/grpc-js is an optional dependency: npm installs it by default (so `npm i -g kreg` reads
 * live etcd and KMS plugins), but a library user who only decodes can leave it out with
 * `npm i kreg --omit=optional`. Live-etcd and KMS code load it through here, so that its absence
 * is one clear line instead of a module-resolution stack.
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

/** @param purpose what needs it, for the message when it is missing (live etcd, a KMS plugin). */
export function importGrpc(purpose?: string): Promise<typeof import('@grpc/grpc-js')> {
  return importOptional('@grpc/grpc-js', () => import('@grpc/grpc-js'), purpose);
}
