import type { Insertable, Selectable } from 'kysely';
import { epochMs, fromJson, integer, toJson, toNumber, toOptionalNumber } from './row-values.ts';
import type { StoreSchema } from './schema.ts';
import type {
  CommandStatus,
  DecisionRecord,
  EngineSnapshot,
  NewCommand,
  NewOperatorRequest,
  OperatorRequestKind,
  OperatorRequestStatus,
  RecordedDecision,
  RecordedInput,
  StoredCommand,
  StoredDecision,
  StoredOperatorRequest,
} from './store.ts';

/**
 * The decision record's rows and back, as rows.ts does for the rest: writers
 * validate and serialise before a transaction starts, readers leave absent fields absent.
 */
type Row<T extends keyof StoreSchema> = Selectable<StoreSchema[T]>;
type NewRow<T extends keyof StoreSchema> = Insertable<StoreSchema[T]>;

/** An input row without its signal, which the transaction records first. */
export type EngineInputValues = Omit<NewRow<'engine_inputs'>, 'signal_id'>;

export function engineInputRow(record: DecisionRecord): EngineInputValues {
  const { kind } = record.input;
  text('input kind', kind);
  const { commands, events, reasons } = record.decision;
  return {
    at: epochMs('at', record.at),
    kind,
    input: toJson('input', record.input),
    // Picked, so that a whole policy Decision can be passed without its state being stored.
    decision: toJson('decision', { commands, events, reasons }),
    config_revision: text('configRevision', record.configRevision),
  };
}

export function storedDecision(row: Row<'engine_inputs'>): StoredDecision {
  const decision: StoredDecision = {
    seq: toNumber(row.seq),
    at: toNumber(row.at),
    kind: row.kind,
    input: fromJson<RecordedInput>(row.input),
    decision: fromJson<RecordedDecision>(row.decision),
    configRevision: row.config_revision,
  };
  const signalId = toOptionalNumber(row.signal_id);
  if (signalId !== undefined) decision.signalId = signalId;
  return decision;
}

export function snapshotRow(snapshot: EngineSnapshot): NewRow<'engine_snapshots'> {
  const inputSeq = integer('inputSeq', snapshot.inputSeq);
  if (inputSeq < 0) throw new RangeError(`inputSeq must be >= 0, got ${inputSeq}`);
  return {
    input_seq: inputSeq,
    at: epochMs('at', snapshot.at),
    state: toJson('state', snapshot.state),
    config_revision: text('configRevision', snapshot.configRevision),
  };
}

export function engineSnapshot(row: Row<'engine_snapshots'>): EngineSnapshot {
  return {
    inputSeq: toNumber(row.input_seq),
    at: toNumber(row.at),
    state: fromJson<unknown>(row.state),
    configRevision: row.config_revision,
  };
}

/** A command row without its input seq, which the transaction supplies. */
export type CommandValues = Omit<NewRow<'commands'>, 'input_seq'>;

export function commandRow(command: NewCommand, position: number, at: number): CommandValues {
  return {
    id: text('command id', command.id),
    kind: text('command kind', command.kind),
    incident_key: command.incidentId ?? null,
    service: command.service ?? null,
    payload: toJson('command payload', command.payload),
    status: 'planned',
    position,
    planned_at: at,
    updated_at: at,
    detail: null,
  };
}

export function storedCommand(row: Row<'commands'>): StoredCommand {
  const command: StoredCommand = {
    id: row.id,
    kind: row.kind,
    payload: fromJson<unknown>(row.payload),
    // The CHECK constraint admits only these values.
    status: row.status as CommandStatus,
    inputSeq: toNumber(row.input_seq),
    plannedAt: toNumber(row.planned_at),
    updatedAt: toNumber(row.updated_at),
  };
  if (row.incident_key !== null) command.incidentId = row.incident_key;
  if (row.service !== null) command.service = row.service;
  if (row.detail !== null) command.detail = row.detail;
  return command;
}

export function operatorRequestRow(request: NewOperatorRequest): NewRow<'operator_requests'> {
  operatorTarget(request);
  return {
    at: epochMs('at', request.at),
    actor: text('actor', request.actor),
    kind: request.kind,
    payload: toJson('payload', request.payload),
    status: 'pending',
    input_seq: null,
    settled_at: null,
    detail: null,
  };
}

/**
 * What an operator request is about, as the audit log names it. Also the check that the payload
 * has what its kind needs: the request comes from outside (a CLI, the API).
 */
export function operatorTarget(request: NewOperatorRequest): string {
  switch (request.kind) {
    case 'approval': {
      const { approvalId, verdict } = request.payload;
      if (verdict !== 'approve' && verdict !== 'deny') {
        throw new TypeError(`verdict must be 'approve' or 'deny', got ${String(verdict)}`);
      }
      return `approval/${text('approvalId', approvalId)}`;
    }
    case 'breakerReset': {
      const { service, runbook } = request.payload;
      const breaker = `breaker/${text('service', service)}`;
      return runbook === undefined ? breaker : `${breaker}/${text('runbook', runbook)}`;
    }
    case 'silence': {
      const { matchers, startsAt, endsAt, comment } = request.payload;
      if (!Array.isArray(matchers) || matchers.length === 0) {
        throw new TypeError('a silence needs at least one matcher');
      }
      for (const matcher of matchers) text('matcher', matcher);
      epochMs('startsAt', startsAt);
      epochMs('endsAt', endsAt);
      if (typeof comment !== 'string') throw new TypeError('a silence comment must be a string');
      return `silence/${matchers.join(',')}`;
    }
    case 'silenceExpire':
      return `silence/${text('silenceId', request.payload.silenceId)}`;
    case 'runbookRun': {
      const { service, runbook, params } = request.payload;
      if (typeof params !== 'object' || params === null || Array.isArray(params)) {
        throw new TypeError('runbook params must be an object of text values');
      }
      for (const [name, value] of Object.entries(params)) text(`param ${name}`, value);
      return `runbook/${text('service', service)}/${text('runbook', runbook)}`;
    }
    default:
      throw new TypeError(
        `unknown operator request kind ${String((request as { kind: unknown }).kind)}`,
      );
  }
}

const KINDS: ReadonlySet<string> = new Set<OperatorRequestKind>([
  'approval',
  'breakerReset',
  'silence',
  'silenceExpire',
  'runbookRun',
]);

export function storedOperatorRequest(row: Row<'operator_requests'>): StoredOperatorRequest {
  const request = {
    id: toNumber(row.id),
    at: toNumber(row.at),
    actor: row.actor,
    // The payload was written for its kind (operatorTarget), by this mend or an older one.
    kind: knownKind(row.kind, row.id),
    payload: fromJson<unknown>(row.payload),
    status: row.status as OperatorRequestStatus,
  } as StoredOperatorRequest;
  const settledAt = toOptionalNumber(row.settled_at);
  if (settledAt !== undefined) request.settledAt = settledAt;
  const inputSeq = toOptionalNumber(row.input_seq);
  if (inputSeq !== undefined) request.inputSeq = inputSeq;
  if (row.detail !== null) request.detail = row.detail;
  return request;
}

function knownKind(kind: string, id: unknown): OperatorRequestKind {
  if (!KINDS.has(kind)) {
    throw new TypeError(
      `operator request ${String(id)} is of kind ${JSON.stringify(kind)}, which this mend does not know: a newer mend wrote it`,
    );
  }
  return kind as OperatorRequestKind;
}

/** A name or key: a non-empty string (JSON and TypeScript let anything through at run time). */
function text(name: string, value: unknown): string {
  if (typeof value !== 'string' || value === '') {
    throw new TypeError(`${name} must be a non-empty string, got ${JSON.stringify(value)}`);
  }
  return value;
}
