import { readFile } from 'node:fs/promises';
import type { SecretRef } from './secret-ref.ts';

/** The environment secrets are read from: the process's, or a test's. */
export type SecretEnv = Readonly<Record<string, string | undefined>>;

/**
 * A secret that cannot be read: a missing variable or file will not appear by retrying in a
 * second, so callers treat it as terminal. The message names where mend looked, never a value.
 */
export class SecretError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SecretError';
  }
}

/** The secret's value (without its prefix), or a SecretError saying where mend looked. */
export async function readSecret(ref: SecretRef, env: SecretEnv): Promise<string> {
  const { env: name, file } = ref.valueFrom;
  if (name !== undefined) {
    const value = env[name];
    if (value === undefined || value === '') {
      throw new SecretError(`the environment variable ${name} is not set`);
    }
    return value;
  }
  let text: string;
  try {
    text = await readFile(file!, 'utf8');
  } catch (err) {
    throw new SecretError(`cannot read the secret file ${file}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  const value = text.trim();
  if (value === '') throw new SecretError(`cannot read the secret file ${file}: the file is empty`);
  return value;
}
