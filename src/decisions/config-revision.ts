import { createHash } from 'node:crypto';
import type { Config } from '../config/config.ts';
import { stableJson } from '../support/stable-hash.ts';

/**
 * A short hash of everything in the config that can change a decision (not where it was written
 * or in which file, nor what the shell does when the store fails). Recorded with every decision,
 * so a replay can say which config decided it.
 */
export function configRevision(config: Config): string {
  const { files: _files, ...rest } = config;
  const { storeOutage: _storeOutage, ...settings } = rest.settings;
  const meaningful = { ...rest, settings };
  const withoutSources = JSON.parse(
    JSON.stringify(meaningful, (key, value) => (key === 'source' ? undefined : value)),
  );
  return createHash('sha256').update(stableJson(withoutSources)).digest('hex').slice(0, 12);
}
