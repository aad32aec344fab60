import { writeFile } from 'node:fs/promises';
import yaml from 'js-yaml';
import type { CommandModule } from 'yargs';
import { encodeValue } from '../../codec/encode-value.js';
import { isJsonObject, type JsonObject } from '../../codec/json-value.js';
import { DecodeError, KregError, UsageError } from '../../errors.js';
import { loadSchema } from '../../schema-bundle.js';
import type { CommandContext } from '../io.js';
import { readInput } from '../input.js';
import { hasMaskedSecretData } from '../../mask-secrets.js';
import { COMMANDS } from '../command-index.js';
import { withKubeVersionOption, type KubeVersionArgs } from '../options.js';

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
      .example('$0 decode cm.pb | $0 encode | cmp - cm.pb', 'an unmodified object round-trips byte for byte')
      .example('$0 encode --kube-version 1.19 pod.yaml', 'the bytes a 1.19 API server stored: only the fields 1.19 has'),
  handler: async (args) => {
    const { bytes, name } = await readInput(ctx.io, args.file);
    let object: unknown;
    try {
      object = yaml.load(Buffer.from(bytes).toString('utf8'), { filename: name });
    } catch (err) {
      throw new DecodeError('bad-yaml', `not valid YAML or JSON: ${(err as Error).message.split('\n')[0] ?? ''}`, { file: name });
    }
    if (!isJsonObject(object as JsonObject)) throw new DecodeError('bad-yaml', 'expected one Kubernetes object (a mapping)', { file: name });
    if (hasMaskedSecretData(object as JsonObject)) {
      throw new UsageError('masked-secret', "the Secret's data is masked (***), as kreg prints it unless asked: decode it with --show-secrets to re-encode it", { file: name });
    }
    let encoded: Uint8Array;
    try {
      encoded = encodeValue(loadSchema(args['kube-version']), object as JsonObject);
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
