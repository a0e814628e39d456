import type { Insertable, Selectable } from 'kysely';
import { cutTokens } from '../secrets/api-token.ts';
import type { ChainedContent } from './audit-chain.ts';
import { ACTOR_PATTERN, isAuditAction, isAuditResult } from './audit-vocabulary.ts';
import { epochMs, fromJson, toJson, toNumber } from './row-values.ts';
import type { AuditLogTable } from './schema.ts';
import { type AuditEntry, type StoredAuditEntry, TOKEN_ROLES } from './store.ts';

/** An audit entry checked and serialised, before the chain gives it its seq and hashes. */
export interface PreparedAudit {
  values: Omit<Insertable<AuditLogTable>, 'seq' | 'prev_hash' | 'hash'>;
  /** What the row will read back as, for its hash. */
  content: Omit<ChainedContent, 'seq' | 'prevHash'>;
}

/**
 * Checks an entry against the vocabulary and serialises it. Text is made well-formed (a lone
 * surrogate becomes U+FFFD, as PostgreSQL's driver would make it) and NUL is refused (PostgreSQL
 * text cannot hold it), so the row reads back, and hashes, the same on every database.
 */
export function prepareAudit(entry: AuditEntry): PreparedAudit {
  if (!isAuditAction(entry.action)) {
    throw new TypeError(
      `unknown audit action ${JSON.stringify(entry.action)}: see audit-vocabulary.ts`,
    );
  }
  if (!isAuditResult(entry.result)) {
    throw new TypeError(`unknown audit result ${JSON.stringify(entry.result)}`);
  }
  const actor = text('actor', entry.actor);
  if (!ACTOR_PATTERN.test(actor)) {
    throw new TypeError(
      `audit actor must be token:NAME, cli:USER, anonymous or controller, got ${JSON.stringify(actor)}`,
    );
  }
  if (entry.role !== undefined && !(TOKEN_ROLES as readonly string[]).includes(entry.role)) {
    throw new TypeError(`unknown role ${JSON.stringify(entry.role)}`);
  }
  const params = cutTokens(toJson('params', entry.params));
  const content = {
    at: epochMs('at', entry.at),
    actor,
    action: entry.action,
    target: cutTokens(text('target', entry.target)),
    params: fromJson<unknown>(params),
    result: entry.result,
    ...optional('role', entry.role),
    ...optional('source', entry.source),
    ...optional('requestId', entry.requestId),
  };
  return {
    values: {
      at: content.at,
      actor: content.actor,
      role: content.role ?? null,
      source: content.source ?? null,
      action: content.action,
      target: content.target,
      params,
      result: content.result,
      request_id: content.requestId ?? null,
    },
    content,
  };
}

function text(name: string, value: unknown): string {
  if (typeof value !== 'string' || value === '') {
    throw new TypeError(`audit ${name} must be a non-empty string`);
  }
  if (value.includes('\u0000')) throw new TypeError(`audit ${name} must not contain NUL`);
  return value.toWellFormed();
}

function optional<K extends string>(name: K, value: string | undefined): { [P in K]?: string } {
  return value === undefined ? {} : ({ [name]: text(name, value) } as { [P in K]: string });
}

/** A row as read back. Absent values stay absent. */
export function auditEntry(row: Selectable<AuditLogTable>): StoredAuditEntry {
  const entry: StoredAuditEntry = {
    id: toNumber(row.id),
    seq: toNumber(row.seq),
    at: toNumber(row.at),
    actor: row.actor,
    action: row.action,
    target: row.target,
    params: fromJson<unknown>(row.params),
    // Rows are written through prepareAudit, whose check admits only the vocabulary's results.
    result: row.result as StoredAuditEntry['result'],
    prevHash: row.prev_hash,
    hash: row.hash,
  };
  if (row.role !== null) entry.role = row.role;
  if (row.source !== null) entry.source = row.source;
  if (row.request_id !== null) entry.requestId = row.request_id;
  return entry;
}
