import type { Insertable, Selectable } from 'kysely';
import { TOKEN_PREFIX } from '../secrets/api-token.ts';
import { epochMs, toNumber, toOptionalNumber } from './row-values.ts';
import type { ApiTokensTable } from './schema.ts';
import {
  type NewToken,
  type StoredToken,
  TOKEN_NAME_PATTERN,
  TOKEN_ROLES,
  type TokenRole,
} from './store.ts';

/** A token name as the store accepts it, or a TypeError saying what a name may be. */
export function tokenName(name: unknown): string {
  if (typeof name !== 'string' || !TOKEN_NAME_PATTERN.test(name)) {
    throw new TypeError(
      `token name ${JSON.stringify(name)} is not valid: use letters, digits, ".", "_" and "-", starting with a letter or digit, at most 64 characters`,
    );
  }
  // A name that reads like a token would be cut out of the audit log as one.
  if (name.startsWith(TOKEN_PREFIX)) {
    throw new TypeError(`token name ${JSON.stringify(name)} must not start with ${TOKEN_PREFIX}`);
  }
  return name;
}

export function isTokenRole(role: unknown): role is TokenRole {
  return (TOKEN_ROLES as readonly unknown[]).includes(role);
}

export function tokenRow(token: NewToken): Insertable<ApiTokensTable> {
  if (!isTokenRole(token.role)) throw new TypeError(`unknown role ${JSON.stringify(token.role)}`);
  if (typeof token.hash !== 'string' || !/^[0-9a-f]{64}$/.test(token.hash)) {
    throw new TypeError('a token is kept as its hex SHA-256 (hashToken), never as itself');
  }
  const createdAt = epochMs('createdAt', token.createdAt);
  const expiresAt = token.expiresAt === undefined ? null : epochMs('expiresAt', token.expiresAt);
  if (expiresAt !== null && expiresAt <= createdAt) {
    throw new TypeError('expiresAt must come after createdAt');
  }
  return {
    name: tokenName(token.name),
    role: token.role,
    hash: token.hash,
    created_at: createdAt,
    expires_at: expiresAt,
    revoked_at: null,
    last_used_at: null,
  };
}

/** The columns a token is read from: never its hash. */
export type TokenColumns = Omit<Selectable<ApiTokensTable>, 'id' | 'hash'>;

export function storedToken(row: TokenColumns): StoredToken {
  const token: StoredToken = {
    name: row.name,
    // The CHECK constraint admits only these values.
    role: row.role as TokenRole,
    createdAt: toNumber(row.created_at),
  };
  const expiresAt = toOptionalNumber(row.expires_at);
  const revokedAt = toOptionalNumber(row.revoked_at);
  const lastUsedAt = toOptionalNumber(row.last_used_at);
  if (expiresAt !== undefined) token.expiresAt = expiresAt;
  if (revokedAt !== undefined) token.revokedAt = revokedAt;
  if (lastUsedAt !== undefined) token.lastUsedAt = lastUsedAt;
  return token;
}
