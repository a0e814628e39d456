import type { RunbookConfig } from '../config/config.ts';
import { readSecret, type SecretEnv } from '../secrets/read-secret.ts';
import { findSecretRefs, isSecretRef } from '../secrets/secret-ref.ts';
import { Refusal } from './template-values.ts';

type Resolved = { value: string } | { error: string };

/**
 * The secrets of one run, read once at its start and handed to the run's Redactor before any
 * step runs, so no output, log line or journal entry can hold them. A secret that cannot be read
 * refuses the step that needs it, not the whole run (an evidence step may not need it).
 */
export class RunSecrets {
  readonly #values: ReadonlyMap<string, Resolved>;

  private constructor(values: ReadonlyMap<string, Resolved>) {
    this.#values = values;
  }

  static async read(runbook: RunbookConfig, env: SecretEnv): Promise<RunSecrets> {
    const values = new Map<string, Resolved>();
    for (const step of [...runbook.evidence, ...runbook.steps, ...runbook.onFailure]) {
      for (const ref of findSecretRefs(step.spec)) {
        const key = JSON.stringify(ref.valueFrom);
        if (values.has(key)) continue;
        values.set(
          key,
          await readSecret(ref, env).then(
            (value) => ({ value }),
            (err: Error) => ({ error: err.message }),
          ),
        );
      }
    }
    return new RunSecrets(values);
  }

  /** Every value read, for the redactor. */
  values(): string[] {
    return [...this.#values.values()].flatMap((r) => ('value' in r ? [r.value] : []));
  }

  /** The value of a secret (with its prefix), or a Refusal saying why it could not be read. */
  get(ref: unknown): string {
    if (!isSecretRef(ref)) throw new Refusal('expected a secret source');
    const resolved = this.#values.get(JSON.stringify(ref.valueFrom));
    if (resolved === undefined) throw new Refusal('secret not read at the start of the run');
    if ('error' in resolved) throw new Refusal(resolved.error);
    return (ref.prefix ?? '') + resolved.value;
  }
}
