import type { AuditAction, AuditResult } from './audit-vocabulary.ts';
import type { TimeWindow } from './time-window.ts';

/**
 * What people and machines outside the engine write through the store: the audit log, API tokens,
 * and operator requests (an approval, a breaker reset, a silence, a runbook run by hand). Part of
 * the Store contract (store.ts re-exports all of it), kept apart so each file holds one idea.
 */
/** Who did something, as the audit log records it. */
export interface AuditActor {
  /** `token:NAME` (the API), `cli:USER` (the mend command), `anonymous`, `controller`. */
  actor: string;
  /** The role of the token it acted with; absent for the CLI. */
  role?: TokenRole;
  /** The address the request came from; absent for the CLI. */
  source?: string;
  /** The API request's id, to find its log lines. */
  requestId?: string;
}

export interface AuditEntry extends AuditActor {
  at: number;
  action: AuditAction;
  /** What was acted on, `kind/name`: `approval/inc-3:approval:1`, `token/ci-bot`. */
  target: string;
  /** JSON: what was asked, secrets redacted by the caller; any mend token is cut by the store. */
  params: unknown;
  result: AuditResult;
}

/** An audit row as read back, with its place in the chain. */
export interface StoredAuditEntry extends Omit<AuditEntry, 'action' | 'role'> {
  id: number;
  /** Rows written before the vocabulary (0004) keep what they said. */
  action: string;
  role?: string;
  /** Its position in the hash chain: 1, 2, 3, ... with no gap. */
  seq: number;
  /** The hash of the row before it (GENESIS_HASH for the first). */
  prevHash: string;
  /** sha256 of its canonical content and prevHash (audit-chain.ts). */
  hash: string;
}

/** Filters on `at`. A list of actors matches any of them. */
export interface AuditFilter extends TimeWindow {
  actor?: string | readonly string[];
  action?: string;
  target?: string;
}

export interface AuditChainPage {
  /** Exclusive; omitted, from the first row. */
  afterId?: number;
  limit: number;
}

export type AuditChainRow = StoredAuditEntry | { id: number; unreadable: string };

export interface AuditHead {
  seq: number;
  hash: string;
}

/** The roles a token can have (what each permits: src/api/auth/roles.ts). */
export const TOKEN_ROLES = ['viewer', 'operator', 'admin', 'ingest'] as const;
export type TokenRole = (typeof TOKEN_ROLES)[number];

/** A token name: letters, digits, `.`, `_`, `-`, starting with a letter or digit, at most 64. */
export const TOKEN_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export interface NewToken {
  name: string;
  role: TokenRole;
  /** The token's hex SHA-256 (secrets/api-token.ts hashToken). */
  hash: string;
  createdAt: number;
  expiresAt?: number;
}

export interface StoredToken {
  name: string;
  role: TokenRole;
  createdAt: number;
  expiresAt?: number;
  revokedAt?: number;
  lastUsedAt?: number;
}

export type OperatorRequestKind = NewOperatorRequest['kind'];
export type OperatorRequestStatus = 'pending' | 'applied' | 'rejected';

/** An operator's request; each kind's payload is its engine input without kind, at and actor. */
export type NewOperatorRequest = {
  at: number;
  /** Who: a token's subject, or `cli:<user>`. */
  actor: string;
} & (
  | { kind: 'approval'; payload: { approvalId: string; verdict: 'approve' | 'deny' } }
  | { kind: 'breakerReset'; payload: { service: string; runbook?: string } }
  | { kind: 'silence'; payload: SilenceRequest }
  | { kind: 'silenceExpire'; payload: { silenceId: string } }
  | { kind: 'runbookRun'; payload: RunbookRunRequest }
);

/** A runbook an operator runs by hand on a service; params as text, typed by the runbook. */
export interface RunbookRunRequest {
  service: string;
  runbook: string;
  params: Record<string, string>;
}

/** A silence an operator asks for; the controller names it `sil-<request id>` when it applies. */
export interface SilenceRequest {
  /** Alertmanager matchers: `service="db"`, `env=~"prod|stage"`. */
  matchers: string[];
  startsAt: number;
  endsAt: number;
  comment: string;
}

export type StoredOperatorRequest = NewOperatorRequest & {
  id: number;
  status: OperatorRequestStatus;
  /** When it was applied or rejected. */
  settledAt?: number;
  /** The input that applied it. */
  inputSeq?: number;
  /** Why it was rejected. */
  detail?: string;
};

export interface Rejection {
  at: number;
  /** Why, for the operator: "no pending approval inc-3:approval:1". */
  detail: string;
}
