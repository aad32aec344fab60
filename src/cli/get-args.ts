/** The arguments of kreg get. */
import type { EncryptionArgs, KubeVersionArgs, NamespaceArgs, SourceArgs } from './options.js';

export interface GetArgs extends SourceArgs, NamespaceArgs, EncryptionArgs, KubeVersionArgs {
  resource: string | undefined;
  names: string[];
  /** As given: a format, or jsonpath=..., custom-columns=... (see get-output.ts). */
  output: string | undefined;
  'show-etcd': boolean;
  'show-secrets': boolean;
  workers: number | undefined;
  selector: string | undefined;
  'field-selector': string | undefined;
  'show-labels': boolean;
  /** -L, repeated or comma-separated: kept joined by commas (repeated flags keep their last value otherwise). */
  'label-columns': string | undefined;
  'show-kind': boolean;
  'sort-by': string | undefined;
  'allow-missing-template-keys': boolean;
  'show-managed-fields': boolean;
  watch: boolean;
  'watch-only': boolean;
  'output-watch-events': boolean;
  /** False with --no-headers. */
  headers: boolean;
}
