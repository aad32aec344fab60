/** The arguments of kreg get. */
import type { GetFormat } from './object-writers.js';
import type { EncryptionArgs, KubeVersionArgs, NamespaceArgs, SourceArgs } from './options.js';

export interface GetArgs extends SourceArgs, NamespaceArgs, EncryptionArgs, KubeVersionArgs {
  resource: string | undefined;
  names: string[];
  output: GetFormat | undefined;
  'show-etcd': boolean;
  'show-secrets': boolean;
  workers: number | undefined;
  selector: string | undefined;
  'field-selector': string | undefined;
  'show-labels': boolean;
  /** -L, repeated or comma-separated: kept joined by commas (repeated flags keep their last value otherwise). */
  'label-columns': string | undefined;
  'show-kind': boolean;
  /** False with --no-headers. */
  headers: boolean;
}
