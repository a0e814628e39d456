import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Role } from '../auth/roles.ts';

/**
 * A signed-in browser. The cookie carries only `id`, a random value; the API token it signed in
 * with stays here, in mend's memory, and every page and action is the API called with it, so a
 * token revoked or expired ends what the session can do at once. Sessions do not survive a
 * restart of mend: signing in again is the answer.
 */
export interface Session {
  id: string;
  /** A name for the session in the audit log (`session/HANDLE`): not the id, which signs in. */
  handle: string;
  /** Sent back in the X-CSRF-Token header of every mutation: another site's page cannot know it. */
  csrf: string;
  token: string;
  tokenName: string;
  role: Role;
  createdAt: number;
  expiresAt: number;
}

/** How long a session lasts from sign-in, and how many may be open at once. */
export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;
const MAX_SESSIONS = 10_000;

const randomId = () => randomBytes(32).toString('base64url');

export class SessionStore {
  readonly #sessions = new Map<string, Session>();
  readonly #ttlMs: number;

  constructor(ttlMs = SESSION_TTL_MS) {
    this.#ttlMs = ttlMs;
  }

  create(token: string, who: { tokenName: string; role: Role }, now: number): Session {
    // The oldest goes first when full: a flood of sign-ins cannot grow mend's memory.
    if (this.#sessions.size >= MAX_SESSIONS) {
      const oldest = this.#sessions.keys().next().value;
      if (oldest !== undefined) this.#sessions.delete(oldest);
    }
    const session: Session = {
      id: randomId(),
      handle: randomBytes(6).toString('hex'),
      csrf: randomId(),
      token,
      ...who,
      createdAt: now,
      expiresAt: now + this.#ttlMs,
    };
    this.#sessions.set(session.id, session);
    return session;
  }

  /** The live session with this id, or undefined (unknown, or expired: then it is ended). */
  get(id: string | undefined, now: number): Session | undefined {
    if (id === undefined) return undefined;
    const session = this.#sessions.get(id);
    if (session === undefined) return undefined;
    if (session.expiresAt <= now) {
      this.#sessions.delete(id);
      return undefined;
    }
    return session;
  }

  end(id: string): void {
    this.#sessions.delete(id);
  }

  get size(): number {
    return this.#sessions.size;
  }
}

/** Whether a request's CSRF header is the session's, compared in constant time. */
export function csrfMatches(session: Session, given: string | string[] | undefined): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(given);
  const b = Buffer.from(session.csrf);
  return a.length === b.length && timingSafeEqual(a, b);
}
