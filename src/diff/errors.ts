import { KregError } from '../errors.js';

/** An error of kreg diff: exit code 2, as kubectl diff uses for errors. */
export class DiffError extends KregError {
  override name = 'DiffError';
  readonly exitCode = 2;
}
