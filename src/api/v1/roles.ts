import type { Role } from '../../controller-handle.ts';
import type { RouteRole } from './route-kit.ts';

/**
 * What each role may do, as the least role a route needs: viewer < operator < admin, and ingest
 * apart (it may only post alerts and events, and read nothing).
 */
const GRANTS: Record<Role, readonly RouteRole[]> = {
  viewer: ['anyone', 'viewer'],
  operator: ['anyone', 'viewer', 'operator'],
  admin: ['anyone', 'viewer', 'operator', 'admin'],
  ingest: ['anyone', 'ingest'],
};

export function permits(role: Role, needed: RouteRole): boolean {
  return GRANTS[role].includes(needed);
}
