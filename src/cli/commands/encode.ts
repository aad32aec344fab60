import { writeFile } from 'node:fs/promises';
import type { CommandModule } from 'yargs';
import { encodeValue } from '../../codec/encode-value.js';
import { restoreDecodedValue } from '../../codec/carried-storage.js';
import { KregError, UsageError } from '../../errors.js';
import { loadSchema } from '../../schema-bundle.js';
import type { CommandContext } from '../io.js';
import { readInput } from '../input.js';
import { hasMaskedSecretData } from '../../mask-secrets.js';
import { COMMANDS } from '../command-index.js';
import { withKubeVersionOption, type KubeVersionArgs } from '../options.js';
import { readObjectInput } from '../object-input.js';

interface EncodeArgs extends KubeVersionArgs {
  file: string | undefined;
  'output-file': string | undefined;
}

export const encodeCommand = (ctx: CommandContext): CommandModule<object, EncodeArgs> => ({
  command: COMMANDS.encode.usage,
  describe: COMMANDS.encode.describe,
  builder: (y) =>
    withKubeVersionOption(y)
      .positional('file', { type: 'string', describe: 'YAML or JSON file; - or none for standard input' })
      .option('output-file', { type: 'string', describe: 'write the bytes to this file instead of standard output' })
      .example('$0 encode cm.yaml > cm.pb', 'protobuf storage bytes of a ConfigMap')
      .example('$0 decode cm.pb | $0 encode | cmp - cm.pb', 'an unmodified object round-trips byte for byte (its # kreg:storage line carries what the object does not show)')
      .example('$0 get configmaps/x -n ns -o yaml | $0 encode', 'the stored bytes: resourceVersion left out as kube-apiserver does, hidden managedFields put back')
      .example('$0 encode --kube-version 1.19 pod.yaml', 'the bytes a 1.19 API server stored: only the fields 1.19 has'),
  handler: async (args) => {
    const { bytes, name } = await readInput(ctx.io, args.file);
    const { object, carried } = readObjectInput(Buffer.from(bytes).toString('utf8'), name);
    if (hasMaskedSecretData(object)) {
      throw new UsageError('masked-secret', "the Secret's data is masked (***), as kreg prints it unless asked: decode it with --show-secrets to re-encode it", { file: name });
    }
    // The release the value was decoded as travels with it; --kube-version overrides.
    const kubeVersion = args['kube-version'] ?? carried?.value.storage.kubeVersion;
    let encoded: Uint8Array;
    try {
      encoded = encodeValue(loadSchema(kubeVersion), restoreDecodedValue(object, carried));
    } catch (err) {
      throw err instanceof KregError ? err.withSubject({ file: name }) : err;
    }
    const outputFile = args['output-file'];
    if (outputFile !== undefined) {
      await writeFile(outputFile, encoded);
      return;
    }
    if (ctx.io.stdout.isTTY) {
      throw new UsageError('binary-to-terminal', 'refusing to write binary storage bytes to a terminal: redirect to a file, use --output-file, or pipe to etcdctl put KEY');
    }
    ctx.io.stdout.write(encoded);
  },
});
