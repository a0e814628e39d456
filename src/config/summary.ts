import type { Config } from './config.ts';
import type { ConfigError } from './config-error.ts';

function count(n: number, noun: string): string {
  return `${n.toLocaleString('en-US')} ${noun}${n === 1 ? '' : 's'}`;
}

/** `valid: 3 services, 5 checks in 2 files` */
export function validSummary(config: Config): string {
  const checks = config.services.reduce((sum, service) => sum + service.checks.length, 0);
  return `valid: ${count(config.services.length, 'service')}, ${count(checks, 'check')} in ${count(config.files.length, 'file')}`;
}

/** `invalid: 4 errors in 2 files`; with errors only counted, `... (the first 100 shown)`. */
export function invalidSummary(
  errors: readonly ConfigError[],
  more: { moreErrors: number; filesWithErrors: number } = { moreErrors: 0, filesWithErrors: 0 },
): string {
  const files = Math.max(more.filesWithErrors, new Set(errors.map((error) => error.file)).size);
  const total = errors.length + more.moreErrors;
  const shown = more.moreErrors > 0 ? ` (the first ${errors.length} shown)` : '';
  return `invalid: ${count(total, 'error')} in ${count(files, 'file')}${shown}`;
}
