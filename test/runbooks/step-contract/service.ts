import type { ServiceConfig } from '../../../src/config/config.ts';
import { configFromSpecs } from '../../../src/documents.ts';

/** Service api with one check, `live`, an exec of `command`, as config loading builds it. */
export function serviceWithCheck(command: string[], fields: Record<string, unknown> = {}) {
  const [service] = configFromSpecs([
    {
      kind: 'Service',
      name: 'api',
      spec: { checks: [{ name: 'live', exec: { command }, ...fields }] },
    },
  ]).services;
  return service as ServiceConfig;
}
