import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { DeliveryError } from './delivery-error.ts';

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** `{env: NAME}` or `{file: PATH}`: where a secret's value is read. */
export const secretSource = z
  .strictObject({
    env: z
      .string()
      .regex(ENV_NAME, { error: 'expected an environment variable name such as PAGERDUTY_KEY' })
      .optional()
      .describe('An environment variable of the mend process holding the value.'),
    file: z
      .string()
      .min(1)
      .optional()
      .describe(
        'A file holding the value (a mounted Kubernetes Secret, say); surrounding whitespace, such as the final newline, is dropped.',
      ),
  })
  .superRefine(
    (from, ctx) => {
      const set = (['env', 'file'] as const).filter((key) => from[key] !== undefined);
      if (set.length !== 1) {
        ctx.addIssue({
          code: 'custom',
          path: set.length > 1 ? ['file'] : [],
          message: `expected exactly one of env and file, found ${set.length === 0 ? 'neither' : 'both'}`,
        });
      }
    },
    { when: (payload) => typeof payload.value === 'object' && payload.value !== null },
  )
  .meta({ oneOf: [{ required: ['env'] }, { required: ['file'] }] });

/**
 * A secret field (a routing key, a webhook URL that is itself the credential, a password). It is
 * never written in the config: only where to read it, as Kubernetes writes `valueFrom`. It is read
 * at each delivery (so a rotated file takes effect without a reload) and redacted from everything
 * mend logs or records.
 */
export const secretRef = (what: string) =>
  z
    .strictObject(
      {
        valueFrom: secretSource.describe('Where to read the value: `env` or `file`, exactly one.'),
      },
      {
        error: (issue) =>
          issue.code === 'invalid_type'
            ? `expected {valueFrom: {env: NAME}} or {valueFrom: {file: PATH}}: ${what} is a secret and is never written in the config`
            : undefined,
      },
    )
    .describe(`${what}: a secret, read from \`valueFrom.env\` or \`valueFrom.file\`.`);

export type SecretRef = z.output<ReturnType<typeof secretRef>>;

/** How a secret is read; tests and the port pass the process environment. */
export interface SecretSources {
  env: Readonly<Record<string, string | undefined>>;
}

/**
 * The secret's value, or a terminal DeliveryError: a missing variable or file will not appear by
 * retrying in a second, and the error names where mend looked, never the value.
 */
export async function readSecret(ref: SecretRef, sources: SecretSources): Promise<string> {
  const { env, file } = ref.valueFrom;
  if (env !== undefined) {
    const value = sources.env[env];
    if (value === undefined || value === '') {
      throw new DeliveryError(`the environment variable ${env} is not set`, { transient: false });
    }
    return value;
  }
  try {
    const value = (await readFile(file!, 'utf8')).trim();
    if (value === '') throw new Error('the file is empty');
    return value;
  } catch (err) {
    throw new DeliveryError(`cannot read the secret file ${file}: ${(err as Error).message}`, {
      transient: false,
      cause: err,
    });
  }
}

/** Where a secret comes from, for messages: `env PAGERDUTY_KEY`, `file /run/secrets/key`. */
export function describeSecret(ref: SecretRef): string {
  const { env, file } = ref.valueFrom;
  return env !== undefined ? `env ${env}` : `file ${file}`;
}
