import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { RunbookConfig } from '../config/config.ts';
import { Refusal } from './template.ts';

/**
 * Secrets come from the environment or from files, never from the config itself, and every value
 * read is handed to the run's Redactor before any step runs, so no output, log line or journal
 * entry can hold it.
 */
export const secretSource = z
  .strictObject({
    valueFrom: z
      .union([
        z.strictObject({
          env: z.string().min(1).describe('An environment variable of the mend process.'),
        }),
        z.strictObject({
          file: z
            .string()
            .min(1)
            .describe('A file (one trailing newline is dropped), read at the start of each run.'),
        }),
      ])
      .describe('Where the secret value is read from: `{env: NAME}` or `{file: PATH}`.'),
    prefix: z
      .string()
      .optional()
      .describe('Text put before the value (`"Bearer "`); it is not secret.'),
  })
  .describe('A secret: redacted as `[redacted]` in everything mend records.');

export type SecretSource = z.output<typeof secretSource>;

/** A string field that may instead take its value from a secret. */
export function textOrSecret(description: string) {
  return z
    .union([z.string(), secretSource])
    .describe(`${description} A string (templates allowed) or \`{valueFrom: {env|file}}\`.`);
}

export function isSecretSource(value: unknown): value is SecretSource {
  return typeof value === 'object' && value !== null && 'valueFrom' in value;
}

type Resolved = { value: string } | { error: string };

/** The secrets of one run, read once at its start. */
export class RunSecrets {
  readonly #values = new Map<string, Resolved>();

  constructor(runbook: RunbookConfig, env: NodeJS.ProcessEnv = process.env) {
    for (const step of [...runbook.evidence, ...runbook.steps, ...runbook.onFailure]) {
      for (const source of findSources(step.spec)) {
        const key = JSON.stringify(source.valueFrom);
        if (!this.#values.has(key)) this.#values.set(key, read(source, env));
      }
    }
  }

  /** Every value read, for the redactor. */
  values(): string[] {
    return [...this.#values.values()].flatMap((r) => ('value' in r ? [r.value] : []));
  }

  /** The value of a source (with its prefix), or a Refusal saying why it could not be read. */
  get(source: unknown): string {
    if (!isSecretSource(source)) throw new Refusal('expected a secret source');
    const resolved = this.#values.get(JSON.stringify(source.valueFrom));
    if (resolved === undefined) throw new Refusal('secret not read at the start of the run');
    if ('error' in resolved) throw new Refusal(resolved.error);
    return (source.prefix ?? '') + resolved.value;
  }
}

function read(source: SecretSource, env: NodeJS.ProcessEnv): Resolved {
  const from = source.valueFrom;
  if ('env' in from) {
    const value = env[from.env];
    return value === undefined || value === ''
      ? { error: `secret from env ${from.env}: not set` }
      : { value };
  }
  try {
    const value = readFileSync(from.file, 'utf8').replace(/\r?\n$/, '');
    return value === '' ? { error: `secret from file ${from.file}: empty` } : { value };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    return { error: `secret from file ${from.file}: cannot read (${code})` };
  }
}

function findSources(value: unknown): SecretSource[] {
  if (isSecretSource(value)) return [value];
  if (Array.isArray(value)) return value.flatMap(findSources);
  if (value !== null && typeof value === 'object') return Object.values(value).flatMap(findSources);
  return [];
}
