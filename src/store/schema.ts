import type { ColumnType } from 'kysely';

/**
 * The tables as Kysely sees them, shared by every SQL implementation. Selected integers are typed
 * loosely on purpose: SQLite gives numbers, PostgreSQL's driver gives bigint columns as strings;
 * rows.ts turns both into numbers.
 */
export interface StoreSchema {
  signals: SignalsTable;
  observations: ObservationsTable;
  incidents: IncidentsTable;
  incident_events: IncidentEventsTable;
  runbook_journal: RunbookJournalTable;
  audit_log: AuditLogTable;
  audit_chain_head: AuditChainHeadTable;
  api_tokens: ApiTokensTable;
  engine_inputs: EngineInputsTable;
  engine_snapshots: EngineSnapshotsTable;
  commands: CommandsTable;
  operator_requests: OperatorRequestsTable;
  alerts: AlertsTable;
  probe_cursors: ProbeCursorsTable;
  replicas: ReplicasTable;
  leader_lease: LeaderLeaseTable;
  replica_signals: ReplicaSignalsTable;
}

/** An integer as a driver returns it; written as a number. */
export type DbInteger = ColumnType<number | string | bigint, number, number>;
export type DbNullableInteger = ColumnType<
  number | string | bigint | null,
  number | null,
  number | null
>;
/** An id the database assigns. */
export type DbId = ColumnType<number | string | bigint, never, never>;
/** A double precision column (durations can be fractional). */
export type DbDouble = ColumnType<number | string, number, number>;
/** JSON kept as text: portable, and the store never queries inside it. */
export type DbJson = string;

export interface SignalsTable {
  id: DbId;
  fingerprint: string;
  source: string;
  service: string;
  /** `check` is an SQL keyword: a column of that name would need quoting in every hand query. */
  check_name: string | null;
  status: string;
  labels: DbJson;
  starts_at: DbInteger;
  at: DbInteger;
  summary: string;
}

export interface ObservationsTable {
  id: DbId;
  signal_id: DbInteger;
  /** Index in the signal's evidence, oldest first. */
  position: DbInteger;
  started_at: DbInteger;
  duration_ms: DbDouble;
  /** 1 or 0: SQLite has no boolean, and one type for both databases keeps the SQL shared. */
  ok: DbInteger;
  error: string | null;
  /** The rest of the Observation (status, output, phases, tls, dependencies). */
  details: DbJson;
}

export interface IncidentsTable {
  id: DbId;
  service: string;
  status: string;
  title: string;
  /** The engine's incident id (`inc-3`), unique since 0003: the Store's name for the incident. */
  group_key: string;
  opened_at: DbInteger;
  resolved_at: DbNullableInteger;
  fields: DbJson;
}

export interface IncidentEventsTable {
  id: DbId;
  incident_id: DbInteger;
  at: DbInteger;
  type: string;
  payload: DbJson;
}

export interface RunbookJournalTable {
  id: DbId;
  run_id: string;
  /** Nothing writes it: an entry names its run (the heal's id), and that names the incident. */
  incident_id: DbNullableInteger;
  step_index: DbInteger;
  attempt: DbInteger;
  idempotency_key: string;
  phase: string;
  at: DbInteger;
  payload: DbJson;
}

export interface AuditLogTable {
  id: DbId;
  at: DbInteger;
  actor: string;
  /** Since 0004 (as is everything below): null for the CLI. */
  role: string | null;
  source: string | null;
  action: string;
  target: string;
  /** Was `details` before 0004. */
  params: DbJson;
  result: string;
  request_id: string | null;
  /** The position in the hash chain, unique: 1, 2, 3, ... */
  seq: DbInteger;
  /** Unique: two rows can never follow the same row, so a racing writer fails loudly. */
  prev_hash: string;
  hash: string;
}

/** One row (id 1): the chain's last seq and hash; every append takes it first. */
export interface AuditChainHeadTable {
  id: number;
  seq: DbInteger;
  hash: string;
}

export interface ApiTokensTable {
  id: DbId;
  name: string;
  role: string;
  /** Hex SHA-256 of the token, unique; the token itself is never kept. */
  hash: string;
  created_at: DbInteger;
  expires_at: DbNullableInteger;
  revoked_at: DbNullableInteger;
  last_used_at: DbNullableInteger;
}

export interface EngineInputsTable {
  seq: DbId;
  at: DbInteger;
  kind: string;
  input: DbJson;
  decision: DbJson;
  config_revision: string;
  signal_id: DbNullableInteger;
}

export interface EngineSnapshotsTable {
  id: DbId;
  input_seq: DbInteger;
  at: DbInteger;
  state: DbJson;
  config_revision: string;
}

export interface CommandsTable {
  id: string;
  kind: string;
  incident_key: string | null;
  service: string | null;
  payload: DbJson;
  status: string;
  input_seq: DbInteger;
  position: DbInteger;
  planned_at: DbInteger;
  updated_at: DbInteger;
  detail: string | null;
}

export interface OperatorRequestsTable {
  id: DbId;
  at: DbInteger;
  actor: string;
  kind: string;
  payload: DbJson;
  status: string;
  input_seq: DbNullableInteger;
  settled_at: DbNullableInteger;
  detail: string | null;
}

export interface AlertsTable {
  fingerprint: string;
  source: string;
  status: string;
  service: string | null;
  labels: DbJson;
  annotations: DbJson;
  generator_url: string;
  receiver: string;
  starts_at: DbInteger;
  ends_at: DbNullableInteger;
  changed_at: DbInteger;
  received_at: DbInteger;
}

export interface ProbeCursorsTable {
  check_key: string;
  cursor: string;
  updated_at: DbInteger;
}

export interface ReplicasTable {
  id: string;
  host: string;
  pid: DbInteger;
  started_at: DbInteger;
  heartbeat_at: DbInteger;
  checks: DbInteger;
  address: string | null;
}

/** One row (id 1): the leader, and the fencing token every decision's write is checked against. */
export interface LeaderLeaseTable {
  id: DbInteger;
  holder: string | null;
  epoch: DbInteger;
  acquired_at: DbInteger;
  expires_at: DbInteger;
}

export interface ReplicaSignalsTable {
  id: DbId;
  from_replica: string;
  sent_at: DbInteger;
  signal: DbJson;
}
