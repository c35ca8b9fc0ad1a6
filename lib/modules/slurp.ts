import { createHash } from 'node:crypto';
import { TaskFailedError } from '../errors.ts';
import { defineModule, type Change } from '../module.ts';
import { registerSecret, Secret } from '../secret.ts';
import { optionalBoolean, requireAbsolutePath } from './support/args.ts';
import { decodeUtf8, readRemoteFile } from './support/remote-read.ts';
import { argsSchema, choice, choiceType, optional, required, type SchemaArgs } from './support/schema.ts';

const ENCODINGS = ['utf8', 'base64'] as const;

export const slurpArgs = argsSchema(
  {
    src: required('string', requireAbsolutePath, 'The file on the host (links followed).'),
    secret: optional('boolean', optionalBoolean, 'The content is a secret (a token): data.content is a Secret, masked in every output from now on.'),
    encoding: optional(choiceType(ENCODINGS), choice(ENCODINGS), "'utf8': the text, an error if it is not UTF-8; 'base64': any bytes.", "'utf8'"),
  },
  {
    summary: 'Read a file on the host into data.content.',
    checkMode: 'Runs (it is a read); never changes anything.',
    notes: ['`secret: true` keeps the content out of every output, including the -vv command echo, and registers it for masking.'],
  },
);

export type SlurpArgs = SchemaArgs<typeof slurpArgs>;

export interface SlurpData {
  /** The file's content; a Secret when secret: true. */
  content: string | Secret;
  encoding: 'utf8' | 'base64';
  size: number;
  sha256: string;
}

/**
 * Read a remote file into the task's data. A read: it runs in check mode too and never changes
 * anything; a file that is not there fails the task, and in check mode is "cannot predict" (an
 * earlier task that would have made it did not run). With secret: true the content never appears
 * in any output, the -vv command echo included.
 */
export const slurp = defineModule<SlurpArgs, SlurpData>({
  name: 'slurp',

  schema: slurpArgs,
  validate: slurpArgs.validate,

  async plan(ctx, args) {
    const file = await readRemoteFile(ctx, args.src, { secretOutput: args.secret === true });
    if (file.type === 'absent') {
      // In check mode the tasks before this one changed nothing, so a file they would have made
      // (a service's first start writes its token) is missing for no fault: that is "cannot
      // predict", not a failure. A real run fails here, as before.
      const missing: Change<SlurpData> = {
        summary: `read ${args.src}, which does not exist yet`,
        predictable: false,
        reason: `${args.src} does not exist (yet)`,
        async apply() {
          throw new TaskFailedError(`${args.src} does not exist`);
        },
      };
      return { changes: [missing] };
    }
    const encoding = args.encoding ?? 'utf8';
    const text = encoding === 'base64' ? file.content.toString('base64') : decodeUtf8(file.content, args.src, "read it with encoding: 'base64'");
    let content: string | Secret = text;
    if (args.secret) {
      content = new Secret(text);
      // A token file usually ends with a newline; printed without it, it must be masked too.
      registerSecret(text.trim());
    }
    const data: SlurpData = { content, encoding, size: file.content.length, sha256: createHash('sha256').update(file.content).digest('hex') };
    return { changes: [], data };
  },
});
