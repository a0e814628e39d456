import { didYouMean } from '../../config/suggest.ts';
import { TOKEN_ROLES, type TokenRole } from '../../store/store.ts';

/**
 * What each role may do. viewer reads everything but tokens and the audit log; operator adds
 * what changes what mend does (approvals, breaker resets, silences, runbook runs); admin adds
 * tokens and the audit log. ingest is apart: a machine that may only post alerts and events,
 * and read nothing. Pure: the HTTP layer asks `permits` and, on a refusal, names `leastRoleFor`.
 */
export type Role = TokenRole;

export const PERMISSIONS = [
  'read',
  'approvals:decide',
  'breakers:reset',
  'silences:write',
  'runbooks:run',
  'tokens:read',
  'tokens:write',
  'audit:read',
  'alerts:ingest',
  'events:ingest',
] as const;

export type Permission = (typeof PERMISSIONS)[number];

const VIEWER: readonly Permission[] = ['read'];
const OPERATOR: readonly Permission[] = [
  ...VIEWER,
  'approvals:decide',
  'breakers:reset',
  'silences:write',
  'runbooks:run',
];
const ADMIN: readonly Permission[] = [...OPERATOR, 'tokens:read', 'tokens:write', 'audit:read'];

/** The table, in role order: least first. Each of viewer, operator, admin grants the one before. */
export const GRANTS: Readonly<Record<Role, readonly Permission[]>> = {
  viewer: VIEWER,
  operator: OPERATOR,
  admin: ADMIN,
  ingest: ['alerts:ingest', 'events:ingest'],
};

/** Roles from least to most; ingest, which grants no other role's permissions, last. */
export const ROLES: readonly Role[] = TOKEN_ROLES;

export function permits(role: Role, permission: Permission): boolean {
  return GRANTS[role].includes(permission);
}

/** The least role that grants the permission, for a 403 that says what is needed. */
export function leastRoleFor(permission: Permission): Role {
  const role = ROLES.find((candidate) => permits(candidate, permission));
  // Every permission is granted by some role: the table test holds it so.
  if (role === undefined) throw new RangeError(`no role grants ${permission}`);
  return role;
}

/** Why a role is refused a permission, naming the role that would do: the 403's message. */
export function refusal(role: Role, permission: Permission): string {
  return `a token with role ${role} may not ${permission}: it needs role ${leastRoleFor(permission)}${
    leastRoleFor(permission) === 'admin' || leastRoleFor(permission) === 'ingest' ? '' : ' or above'
  }`;
}

/** A role named by a person (`--role operater`), or an error message with a did-you-mean. */
export function parseRole(text: string): { role: Role } | { error: string } {
  if ((ROLES as readonly string[]).includes(text)) return { role: text as Role };
  return {
    error: `unknown role ${JSON.stringify(text)}${didYouMean(text, ROLES)}: roles are ${ROLES.join(', ')}`,
  };
}
