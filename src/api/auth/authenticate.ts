import { hashToken, looksLikeToken, sameHash, TOKEN_PREFIX } from '../../secrets/api-token.ts';
import type { Store } from '../../store/store.ts';
import type { Role } from './roles.ts';

/** Who a request is, once its token is accepted. */
export interface Principal {
  tokenName: string;
  role: Role;
}

/** Why a request is refused; the HTTP layer answers each with 401 and `WWW-Authenticate: Bearer`. */
export type RefusalReason = 'missing' | 'malformed' | 'unknown' | 'expired' | 'revoked';

export type Authentication =
  | { ok: true; principal: Principal }
  | {
      ok: false;
      reason: RefusalReason;
      /** For the caller: what was wrong and what to do; never the token. */
      message: string;
      /** The token's name when the token is known (expired, revoked), for the audit log. */
      tokenName?: string;
    };

/** lastUsedAt is written at most this often per token: a read per request, a write per minute. */
export const LAST_USED_EVERY_MS = 60_000;

export interface AuthenticateOptions {
  /** The request's time (epoch ms): expiry is judged at it, and last use recorded at it. */
  now: number;
  /** Recording the last use failed; the request is still accepted. */
  onTouchError?: (error: unknown) => void;
}

/** RFC 6750: the scheme (any case), one or more spaces, the token. */
const BEARER = /^Bearer +(\S+)$/i;

/**
 * The Authorization header's token checked against the store, at every request: a token revoked
 * or expired a moment ago is refused at the next request, whichever process revoked it.
 *
 * The presented token is never compared with a stored one: it is hashed, and the hash looked up
 * by the store's unique index. How long that takes depends only on the hash of what the caller
 * sent, which tells them nothing about any valid token. The hash found is then compared with the
 * one computed in constant time, so a database whose text comparison is looser than byte
 * equality (a collation, padding) cannot accept a near miss.
 */
export async function authenticate(
  header: string | readonly string[] | undefined,
  store: Pick<Store, 'findToken' | 'touchToken'>,
  options: AuthenticateOptions,
): Promise<Authentication> {
  if (header === undefined || header === '') {
    return refuse(
      'missing',
      'no token: send the header Authorization: Bearer TOKEN (see mend token create)',
    );
  }
  if (typeof header !== 'string') {
    return refuse('malformed', 'more than one Authorization header: send exactly one');
  }
  const bearer = BEARER.exec(header.trim());
  if (bearer === null) {
    return refuse('malformed', 'the Authorization header must be: Bearer TOKEN');
  }
  const presented = bearer[1]!;
  if (!looksLikeToken(presented)) {
    return refuse(
      'malformed',
      `not a mend token: a mend token is ${TOKEN_PREFIX} and 43 more characters, as mend token create printed it`,
    );
  }
  const hash = hashToken(presented);
  const token = await store.findToken(hash);
  if (token === undefined || !sameHash(token.hash, hash)) {
    return refuse('unknown', 'unknown token: it was never created here, or is mistyped');
  }
  if (token.revokedAt !== undefined) {
    return refuse(
      'revoked',
      `token ${token.name} was revoked at ${iso(token.revokedAt)}`,
      token.name,
    );
  }
  if (token.expiresAt !== undefined && token.expiresAt <= options.now) {
    return refuse('expired', `token ${token.name} expired at ${iso(token.expiresAt)}`, token.name);
  }
  if (token.lastUsedAt === undefined || options.now - token.lastUsedAt >= LAST_USED_EVERY_MS) {
    try {
      await store.touchToken(token.name, Math.floor(options.now));
    } catch (error) {
      options.onTouchError?.(error);
    }
  }
  return { ok: true, principal: { tokenName: token.name, role: token.role } };
}

function refuse(reason: RefusalReason, message: string, tokenName?: string): Authentication {
  return { ok: false, reason, message, ...(tokenName === undefined ? {} : { tokenName }) };
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
