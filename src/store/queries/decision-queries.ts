import type { Insertable, Kysely, Transaction } from 'kysely';
import {
  type CommandValues,
  commandRow,
  type EngineInputValues,
  engineInputRow,
  storedDecision,
} from '../decision-rows.ts';
import { epochMs, integer, toJson, toNumber } from '../row-values.ts';
import { type IncidentEventValues, incidentRow } from '../rows.ts';
import type { StoreSchema } from '../schema.ts';
import type { DecisionFilter, DecisionRecord, ResolvedIncident, StoredDecision } from '../store.ts';
import { insertIncident, insertIncidentEvent, markResolved } from './incident-queries.ts';
import { settleOperatorRequest } from './operator-queries.ts';
import { insertSignal, type SignalValues, signalValues } from './signal-queries.ts';
import { checkWindow } from './time-window.ts';
import { transact } from './transact.ts';

/** A DecisionRecord validated and serialised, before its transaction starts. */
interface RecordValues {
  input: EngineInputValues;
  signal: SignalValues | undefined;
  opened: Insertable<StoreSchema['incidents']>[];
  events: { incidentId: string; values: IncidentEventValues }[];
  resolved: ResolvedIncident[];
  commands: CommandValues[];
  operatorRequestId: number | undefined;
}

export async function recordDecision(
  db: Kysely<StoreSchema>,
  record: DecisionRecord,
): Promise<{ seq: number }> {
  const values = recordValues(record);
  return transact(db, async (trx) => {
    const signalId = values.signal === undefined ? null : await insertSignal(trx, values.signal);
    const { seq: inserted } = await trx
      .insertInto('engine_inputs')
      .values({ ...values.input, signal_id: signalId })
      .returning('seq')
      .executeTakeFirstOrThrow();
    const seq = toNumber(inserted);
    await applyToIncidents(trx, values);
    await planCommands(trx, values.commands, seq);
    if (values.operatorRequestId !== undefined) {
      await settleOperatorRequest(trx, values.operatorRequestId, {
        status: 'applied',
        at: values.input.at,
        inputSeq: seq,
      });
    }
    return { seq };
  });
}

function recordValues(record: DecisionRecord): RecordValues {
  const at = epochMs('at', record.at);
  const incidents = record.incidents ?? {};
  return {
    input: engineInputRow(record),
    signal: record.signal === undefined ? undefined : signalValues(record.signal),
    opened: (incidents.opened ?? []).map(incidentRow),
    events: (incidents.events ?? []).map((event) => ({
      incidentId: event.incidentId,
      values: {
        at: epochMs('event at', event.at),
        type: event.type,
        payload: toJson('event payload', event.payload),
      },
    })),
    resolved: (incidents.resolved ?? []).map((resolved) => ({
      ...resolved,
      at: epochMs('resolved at', resolved.at),
    })),
    commands: (record.commands ?? []).map((command, position) => commandRow(command, position, at)),
    operatorRequestId:
      record.operatorRequestId === undefined
        ? undefined
        : integer('operatorRequestId', record.operatorRequestId),
  };
}

/** Opened, then events, then resolved: an incident can open, change and resolve in one step. */
async function applyToIncidents(trx: Transaction<StoreSchema>, values: RecordValues) {
  for (const opened of values.opened) await insertIncident(trx, opened);
  for (const { incidentId, values: event } of values.events) {
    await insertIncidentEvent(trx, incidentId, event);
  }
  for (const { incidentId, at, reason } of values.resolved) {
    await markResolved(trx, incidentId, at, reason);
  }
}

/** A command already planned (same id, an idempotency key) keeps its first row. */
async function planCommands(trx: Transaction<StoreSchema>, commands: CommandValues[], seq: number) {
  for (const command of commands) {
    await trx
      .insertInto('commands')
      .values({ ...command, input_seq: seq })
      .onConflict((conflict) => conflict.column('id').doNothing())
      .execute();
  }
}

export async function listDecisions(
  db: Kysely<StoreSchema>,
  filter: DecisionFilter,
): Promise<StoredDecision[]> {
  const { since, until, limit } = checkWindow(filter);
  const afterSeq = filter.afterSeq === undefined ? undefined : integer('afterSeq', filter.afterSeq);
  let query = db.selectFrom('engine_inputs').selectAll();
  if (afterSeq !== undefined) query = query.where('seq', '>', afterSeq);
  if (since !== undefined) query = query.where('at', '>=', since);
  if (until !== undefined) query = query.where('at', '<', until);
  query = query.orderBy('seq');
  if (limit !== undefined) query = query.limit(limit);
  return (await query.execute()).map(storedDecision);
}
