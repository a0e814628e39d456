import type { Config, ServiceConfig } from '../config/config.ts';
import { checkKey } from '../signals/check-identity.ts';
import { ownerOf } from './rendezvous.ts';

/**
 * What a check is sharded by: its identity (`service/check`), except in a service with startup
 * checks, whose checks all go with its first startup check. Until a service's startup checks
 * have passed its other checks are not judged (the detector), so they must be probed by the
 * replica that sees the startup checks.
 */
export function shareKeyOf(service: ServiceConfig, check: string): string {
  const startup = service.checks.find((spec) => spec.role === 'startup');
  return checkKey(service.name, startup?.name ?? check);
}

/** The config as one replica probes it: every service, with only the checks it owns. Pure. */
export function shareOf(config: Config, members: readonly string[], self: string): Config {
  return {
    ...config,
    services: config.services.map((service) => ({
      ...service,
      checks: service.checks.filter(
        (check) => ownerOf(shareKeyOf(service, check.name), members) === self,
      ),
    })),
  };
}

/** How many checks each member owns. */
export function shareCounts(config: Config, members: readonly string[]): Map<string, number> {
  const counts = new Map(members.map((member) => [member, 0]));
  for (const service of config.services) {
    for (const check of service.checks) {
      const owner = ownerOf(shareKeyOf(service, check.name), members);
      if (owner !== undefined) counts.set(owner, (counts.get(owner) ?? 0) + 1);
    }
  }
  return counts;
}
