import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { REDACTED } from './redactor.ts';

/**
 * mend's API tokens: `mend_` and 43 base64url characters (32 random bytes, 256 bits). The prefix
 * lets a secret scanner (and mend's own audit log) recognise one. mend keeps only the SHA-256 of
 * a token: a token is random, so a fast hash is enough (no salt or slow KDF is needed for a value
 * nobody can guess), and it lets the store find a token by an index on the hash.
 */
export const TOKEN_PREFIX = 'mend_';

const TOKEN_BYTES = 32;

/** A whole token, and nothing else. */
const TOKEN_SHAPE = /^mend_[A-Za-z0-9_-]{43}$/;

/** Tokens inside any text (a JSON document, a log line), for cutting them out. */
const TOKEN_ANYWHERE = /mend_[A-Za-z0-9_-]{43}/g;

export function generateToken(): string {
  return `${TOKEN_PREFIX}${randomBytes(TOKEN_BYTES).toString('base64url')}`;
}

export function looksLikeToken(text: string): boolean {
  return TOKEN_SHAPE.test(text);
}

/** The hex SHA-256 the store keeps in place of the token. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Whether two hex hashes are equal, in time that does not depend on where they differ. */
export function sameHash(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  if (left.length !== right.length) {
    // Compare anyway, so a wrong length takes as long as a wrong value.
    timingSafeEqual(left, left);
    return false;
  }
  return timingSafeEqual(left, right);
}

/** Text with every mend token in it replaced by [redacted]. */
export function cutTokens(text: string): string {
  return text.replace(TOKEN_ANYWHERE, REDACTED);
}
