import type { CheckSpec, ServiceConfig } from '../config/config.ts';
import { hash32, stableJson } from '../support/stable-hash.ts';

/** The identity of a check across reloads: `service/check`. */
export function checkKey(service: string, check: string): string {
  return `${service}/${check}`;
}

/** A check as the scheduler and the detector see it: flattened, with its identity. */
export interface CheckDefinition {
  key: string;
  service: string;
  spec: CheckSpec;
  /** Changes when anything that affects probing or judging changes; equal means "keep state". */
  revision: string;
  /** Where the check's probe goes on from (the last observation's `cursor`), when it has one. */
  resume?: unknown;
}

export function checkDefinitions(services: readonly ServiceConfig[]): CheckDefinition[] {
  return services.flatMap((service) =>
    service.checks.map((spec) => ({
      key: checkKey(service.name, spec.name),
      service: service.name,
      spec,
      revision: String(hash32(stableJson(spec))),
    })),
  );
}
