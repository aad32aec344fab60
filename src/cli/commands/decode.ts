import type { CommandModule } from 'yargs';
import { decodeValue } from '../../codec/decode-value.js';
import { DecodeError } from '../../errors.js';
import { loadSchema } from '../../schema-bundle.js';
import { notesFor } from '../describe-decoded.js';
import type { CommandContext } from '../io.js';
import { readInput } from '../input.js';
import { formatObject } from '../output.js';

interface DecodeArgs {
  file: string | undefined;
  output: 'yaml' | 'json';
}

export const decodeCommand = (ctx: CommandContext): CommandModule<object, DecodeArgs> => ({
  command: 'decode [file]',
  describe: 'Decode one stored value (protobuf, JSON, CBOR) into the object the API would return',
  builder: (y) =>
    y
      .positional('file', { type: 'string', describe: 'file holding the value; - or none for standard input' })
      .option('output', { alias: 'o', choices: ['yaml', 'json'] as const, default: 'yaml' as const, describe: 'output format' })
      .example('etcdctl get /registry/pods/default/web-0 --print-value-only | $0 decode', 'like auger decode')
      .example('etcdctl get /registry/configmaps/kube-system/kube-proxy | $0 decode -o json', 'the key line etcdctl prints is accepted too'),
  handler: async (args) => {
    const { bytes, name } = await readInput(ctx.io, args.file);
    const schema = loadSchema();
    let decoded;
    try {
      decoded = decodeValue(schema, bytes);
    } catch (err) {
      throw err instanceof DecodeError && args.file !== undefined && args.file !== '-' ? err.withSubject({ file: name }) : err;
    }
    const version = schema.bundle.header.kubernetesVersion;
    if (decoded.format === 'encrypted') {
      const e = decoded.encryption;
      const what = e === undefined ? 'with an unrecognised k8s:enc: prefix' : `by the ${e.provider} ${e.providerVersion} provider with key "${e.keyName}"`;
      throw new DecodeError('encrypted', `the value is encrypted at rest ${what} (${decoded.size} bytes); kreg cannot decrypt it`, decoded.key === undefined ? { file: name } : { key: decoded.key });
    }
    if (decoded.format === 'opaque') {
      ctx.io.stdout.write(`# opaque value: ${decoded.size} bytes, not a Kubernetes storage encoding (protobuf, JSON, CBOR or encrypted)\n# hex: ${decoded.hexPreview ?? ''}\n`);
      return;
    }
    const notes = notesFor(decoded, version);
    const text = formatObject(decoded.object ?? {}, args.output);
    if (args.output === 'yaml') {
      ctx.io.stdout.write(notes.map((n) => `# kreg: ${n}\n`).join('') + text);
    } else {
      for (const n of notes) ctx.io.stderr.write(`kreg: ${n}\n`);
      ctx.io.stdout.write(text);
    }
  },
});
