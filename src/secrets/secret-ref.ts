import { z } from 'zod';

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** `{env: NAME}` or `{file: PATH}`, exactly one: where a secret's value is read. */
export const valueFrom = z
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

export type ValueFrom = z.output<typeof valueFrom>;

/**
 * A secret field (a token, a webhook URL that is itself the credential, a password). It is never
 * written in the config: only where to read it, as Kubernetes writes `valueFrom`, and text to put
 * before it (`prefix: "Bearer "`, not secret). Every value read is redacted from everything mend
 * logs or records (src/secrets/redactor.ts).
 */
export const secretRef = (what: string) =>
  z
    .strictObject(
      {
        valueFrom: valueFrom.describe('Where to read the value: `env` or `file`, exactly one.'),
        prefix: z
          .string()
          .optional()
          .describe('Text put before the value (`"Bearer "`); it is not secret.'),
      },
      {
        error: (issue) =>
          issue.code === 'invalid_type'
            ? `expected {valueFrom: {env: NAME}} or {valueFrom: {file: PATH}}: ${what} is a secret and is never written in the config`
            : undefined,
      },
    )
    .describe(`${what}: a secret, read from \`valueFrom.env\` or \`valueFrom.file\`.`);

export interface SecretRef {
  valueFrom: ValueFrom;
  prefix?: string | undefined;
}

/** A field that is either plain text (templates allowed) or a secret. */
export function textOrSecret(description: string) {
  return z
    .union([z.string(), secretRef('The value')])
    .describe(`${description} A string (templates allowed) or \`{valueFrom: {env|file}}\`.`);
}

export function isSecretRef(value: unknown): value is SecretRef {
  return typeof value === 'object' && value !== null && 'valueFrom' in value;
}

/** Every secret in a kind's spec, wherever the kind puts it. */
export function findSecretRefs(value: unknown): SecretRef[] {
  if (isSecretRef(value)) return [value];
  if (Array.isArray(value)) return value.flatMap(findSecretRefs);
  if (value !== null && typeof value === 'object') {
    return Object.values(value).flatMap(findSecretRefs);
  }
  return [];
}

/** Where a secret comes from, for messages: `env PAGERDUTY_KEY`, `file /run/secrets/key`. */
export function describeSecret(ref: SecretRef): string {
  const { env, file } = ref.valueFrom;
  return env !== undefined ? `env ${env}` : `file ${file}`;
}
