import type { NotifierConfig } from '../config/config.ts';
import { readSecret, type SecretRef, type SecretSources } from './secret.ts';

/**
 * Secrets are read at delivery, so that `mend validate` needs none and a rotated file takes
 * effect at once; the price is that a missing one shows only when a page fails. This reads every
 * secret of every notifier once, for `mend run` to warn at start: one line per secret that cannot
 * be read, naming where mend looked (never a value).
 */
export async function checkNotifierSecrets(
  notifiers: readonly NotifierConfig[],
  sources: SecretSources,
): Promise<string[]> {
  const problems: string[] = [];
  for (const notifier of notifiers) {
    for (const ref of secretRefs(notifier.spec)) {
      try {
        await readSecret(ref, sources);
      } catch (err) {
        problems.push(
          `notifier ${notifier.name}: ${(err as Error).message}; its notifications will fail`,
        );
      }
    }
  }
  return problems;
}

/** Every `{valueFrom: {env|file}}` in a kind's spec, wherever the kind puts it. */
function secretRefs(value: unknown): SecretRef[] {
  if (Array.isArray(value)) return value.flatMap(secretRefs);
  if (typeof value !== 'object' || value === null) return [];
  const from = (value as { valueFrom?: { env?: unknown; file?: unknown } }).valueFrom;
  if (typeof from?.env === 'string' || typeof from?.file === 'string') {
    return [{ valueFrom: from } as SecretRef];
  }
  return Object.values(value).flatMap(secretRefs);
}
