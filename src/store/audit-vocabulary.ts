/**
 * The audit log's one vocabulary: what the CLI, the API and the controller write, and the only
 * words appendAudit accepts. A new action is one line here (and a row in docs/auth.md).
 *
 * Targets name what was acted on as `kind/name`: `approval/inc-3:approval:1`,
 * `breaker/api[/restart]`, `runbook/api/restart`, `token/ci-bot`, `silence/ID`; a refused request
 * names its method and route (`POST /api/v1/approvals/ID`).
 */
export const AUDIT_ACTIONS = {
  'approval.approve': 'an approval granted (`mend approve`, the API)',
  'approval.deny': 'an approval denied (`mend deny`, the API)',
  'breaker.reset': 'a breaker closed by hand (`mend breaker reset`, the API)',
  'runbook.run': 'a runbook started by hand (`mend runbook run`, the API)',
  'runbook.outcome': 'how a runbook started by hand ended (result ok when verified)',
  'runbook.dry-run':
    'a dry run of a runbook: nothing ran (result failed when params do not validate)',
  'silence.create': 'a silence added (`mend silence add`, the API)',
  'silence.expire': 'a silence ended early (`mend silence expire`, the API)',
  'alerts.ingest':
    'an Alertmanager delivery refused for its role; accepted ones are kept as the alerts and signals they are, not here (one row per delivery would cost more than the delivery)',
  'events.ingest':
    'a CloudEvents delivery refused for its role; accepted ones are kept as the conditions and signals they are, not here',
  'token.create': 'an API token created (its name and role; never the token)',
  'token.revoke': 'an API token revoked',
  'session.sign-in':
    'a dashboard session opened with a token (target session/HANDLE; never the token or the cookie)',
  'session.sign-out': 'a dashboard session ended by its sign-out',
  'store.outage':
    'the store could not record for a while: when it recovers, the controller says from when to when and why (params)',
  'auth.refused':
    'a request refused before it reached its route: no token, a malformed, unknown, expired or revoked one (params.reason)',
  'auth.limited':
    'a source address refused for a while after too many failures; written once per block, not per request refused during it',
} as const;

export type AuditAction = keyof typeof AUDIT_ACTIONS;

/**
 * What became of the action: done (`ok`); queued for the running controller, which applies or
 * rejects it (`accepted`, an operator request); refused by authentication or a role that does not
 * permit it (`refused`, with params.reason); attempted and failed (`failed`).
 */
export const AUDIT_RESULTS = ['ok', 'accepted', 'refused', 'failed'] as const;

export type AuditResult = (typeof AUDIT_RESULTS)[number];

/** The actor of anything done through the API with a token. */
export function tokenActor(tokenName: string): string {
  return `token:${tokenName}`;
}

/** The actor of anything done with the mend command, as the OS user who ran it. */
export function cliActor(user: string): string {
  return `cli:${user}`;
}

/** The actor of a request that no token identifies (none given, or one the store does not know). */
export const ANONYMOUS = 'anonymous';

/** The actor of what the running controller does by itself. */
export const CONTROLLER = 'controller';

/** `token:NAME`, `cli:USER`, `anonymous` or `controller`. */
export const ACTOR_PATTERN = /^(?:(?:token|cli):.+|anonymous|controller)$/s;

export function isAuditAction(value: unknown): value is AuditAction {
  return typeof value === 'string' && Object.hasOwn(AUDIT_ACTIONS, value);
}

export function isAuditResult(value: unknown): value is AuditResult {
  return (AUDIT_RESULTS as readonly unknown[]).includes(value);
}
