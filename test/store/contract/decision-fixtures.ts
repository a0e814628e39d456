import type {
  DecisionRecord,
  NewCommand,
  NewOperatorRequest,
  Store,
} from '../../../src/store/store.ts';
import type { StoreHarness } from '../contract.ts';
import { T0 } from './fixtures.ts';

/** A decision as the engine gives it: with its state, which the store must not keep. */
export function decisionOf(commands: unknown[] = [], events: unknown[] = []) {
  return {
    state: { secret: 'the whole engine state' },
    commands,
    events,
    reasons: [{ code: 'observe', numbers: { n: 1 }, message: 'ünïcödé "quoted"' }],
  };
}

export function tick(at: number): DecisionRecord {
  const input = { kind: 'tick', at };
  return { at, input, decision: decisionOf(), configRevision: 'rev-1' };
}

export function heal(id: string, overrides: Partial<NewCommand> = {}): NewCommand {
  return {
    id,
    kind: 'heal',
    incidentId: id.split(':')[0] ?? id,
    service: 'api',
    payload: { kind: 'heal', id, runbook: 'restart-api', params: { grace: '5s' } },
    ...overrides,
  };
}

export function approval(
  approvalId = 'inc-3:approval:1',
  verdict: 'approve' | 'deny' = 'approve',
): NewOperatorRequest {
  return { at: T0, actor: 'cli:alice', kind: 'approval', payload: { approvalId, verdict } };
}

/** Rows in a table, read around the store: what the database really holds. */
export async function countRows(harness: StoreHarness, table: string): Promise<number> {
  const [row] = await harness.queryRaw(`select count(*) as n from ${table}`);
  return Number(row?.n);
}

/** Every table a DecisionRecord writes to, with its row count. */
export async function recordTables(harness: StoreHarness): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of [
    'engine_inputs',
    'signals',
    'observations',
    'incidents',
    'incident_events',
    'commands',
  ]) {
    counts[table] = await countRows(harness, table);
  }
  return counts;
}

export async function seqs(store: Store, filter: Parameters<Store['listDecisions']>[0] = {}) {
  return (await store.listDecisions(filter)).map((d) => d.seq);
}
