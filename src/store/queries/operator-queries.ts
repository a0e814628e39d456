import type { Kysely, Transaction } from 'kysely';
import type { AuditAction } from '../audit-vocabulary.ts';
import { operatorRequestRow, operatorTarget, storedOperatorRequest } from '../decision-rows.ts';
import { epochMs, integer, toNumber } from '../row-values.ts';
import type { StoreSchema } from '../schema.ts';
import type { AuditActor, NewOperatorRequest, Rejection, StoredOperatorRequest } from '../store.ts';
import { appendAuditIn } from './audit-queries.ts';
import { transact } from './transact.ts';

export async function addOperatorRequest(
  db: Kysely<StoreSchema>,
  request: NewOperatorRequest,
  by: Omit<AuditActor, 'actor'> = {},
): Promise<{ id: number }> {
  const values = operatorRequestRow(request);
  const target = operatorTarget(request);
  return db.transaction().execute(async (trx) => {
    const { id: inserted } = await trx
      .insertInto('operator_requests')
      .values(values)
      .returning('id')
      .executeTakeFirstOrThrow();
    const id = toNumber(inserted);
    // Every mutating operator action is audited, in the transaction that accepts it.
    await appendAuditIn(trx, {
      ...by,
      at: request.at,
      actor: request.actor,
      action: operatorAction(request),
      // A silence is named by the request that adds it: its target is the id it will have.
      target: request.kind === 'silence' ? `silence/sil-${id}` : target,
      params: { requestId: id, ...request.payload },
      result: 'accepted',
    });
    return { id };
  });
}

function operatorAction(request: NewOperatorRequest): AuditAction {
  switch (request.kind) {
    case 'breakerReset':
      return 'breaker.reset';
    case 'silence':
      return 'silence.create';
    case 'silenceExpire':
      return 'silence.expire';
    case 'runbookRun':
      return 'runbook.run';
    case 'approval':
      return request.payload.verdict === 'approve' ? 'approval.approve' : 'approval.deny';
  }
}

export async function pendingOperatorRequests(
  db: Kysely<StoreSchema>,
): Promise<StoredOperatorRequest[]> {
  const rows = await db
    .selectFrom('operator_requests')
    .selectAll()
    .where('status', '=', 'pending')
    .orderBy('id')
    .execute();
  return rows.map(storedOperatorRequest);
}

export async function getOperatorRequest(
  db: Kysely<StoreSchema>,
  id: number,
): Promise<StoredOperatorRequest | undefined> {
  const row = await db
    .selectFrom('operator_requests')
    .selectAll()
    .where('id', '=', integer('id', id))
    .executeTakeFirst();
  return row === undefined ? undefined : storedOperatorRequest(row);
}

export async function rejectOperatorRequest(
  db: Kysely<StoreSchema>,
  id: number,
  rejection: Rejection,
): Promise<void> {
  integer('id', id);
  const at = epochMs('at', rejection.at);
  if (typeof rejection.detail !== 'string' || rejection.detail === '') {
    throw new TypeError('a rejection must say why: detail must be a non-empty string');
  }
  await transact(db, (trx) =>
    settleOperatorRequest(trx, id, { status: 'rejected', at, detail: rejection.detail }),
  );
}

type Settlement =
  | { status: 'applied'; at: number; inputSeq: number }
  | { status: 'rejected'; at: number; detail: string };

/**
 * Settles a pending request, once: a request is applied or rejected, never both, even when two
 * writers race. Settling it again the same way changes nothing, except applying: an approval
 * applied twice would be two engine inputs, so that is refused.
 */
export async function settleOperatorRequest(
  trx: Transaction<StoreSchema>,
  id: number,
  settlement: Settlement,
): Promise<void> {
  const updated = await trx
    .updateTable('operator_requests')
    .set({
      status: settlement.status,
      settled_at: settlement.at,
      input_seq: settlement.status === 'applied' ? settlement.inputSeq : null,
      detail: settlement.status === 'rejected' ? settlement.detail : null,
    })
    .where('id', '=', id)
    .where('status', '=', 'pending')
    .returning('id')
    .executeTakeFirst();
  if (updated !== undefined) return;
  const current = await trx
    .selectFrom('operator_requests')
    .select('status')
    .where('id', '=', id)
    .executeTakeFirst();
  if (current === undefined) throw new RangeError(`operator request ${id} does not exist`);
  if (current.status === 'rejected' && settlement.status === 'rejected') return;
  throw new RangeError(
    `operator request ${id} is ${current.status}: it cannot be ${settlement.status} now`,
  );
}
