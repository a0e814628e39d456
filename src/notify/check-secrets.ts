import type { NotifierConfig } from '../config/config.ts';
import { readSecret, type SecretEnv } from '../secrets/read-secret.ts';
import { findSecretRefs } from '../secrets/secret-ref.ts';

/**
 * Secrets are read at delivery, so that `mend validate` needs none and a rotated file takes
 * effect at once; the price is that a missing one shows only when a page fails. This reads every
 * secret of every notifier once, for `mend run` to warn at start: one line per secret that cannot
 * be read, naming where mend looked (never a value).
 */
export async function checkNotifierSecrets(
  notifiers: readonly NotifierConfig[],
  env: SecretEnv,
): Promise<string[]> {
  const problems: string[] = [];
  for (const notifier of notifiers) {
    for (const ref of findSecretRefs(notifier.spec)) {
      try {
        await readSecret(ref, env);
      } catch (err) {
        problems.push(
          `notifier ${notifier.name}: ${(err as Error).message}; its notifications will fail`,
        );
      }
    }
  }
  return problems;
}
