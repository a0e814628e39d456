import type { Config } from './config.ts';
import type { ConfigError } from './config-error.ts';

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/** `valid: 3 services, 5 checks in 2 files` */
export function validSummary(config: Config): string {
  const checks = config.services.reduce((sum, service) => sum + service.checks.length, 0);
  return `valid: ${count(config.services.length, 'service')}, ${count(checks, 'check')} in ${count(config.files.length, 'file')}`;
}

/** `invalid: 4 errors in 2 files` */
export function invalidSummary(errors: readonly ConfigError[]): string {
  const files = new Set(errors.map((error) => error.file)).size;
  return `invalid: ${count(errors.length, 'error')} in ${count(files, 'file')}`;
}
