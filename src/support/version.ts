import { readFileSync } from 'node:fs';

/** mend's version, as its package.json says (read, not imported: the manifest is not source). */
export const VERSION: string = JSON.parse(
  readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
).version;
