import { type Engine, type EngineState, type Input, openIncidents } from '../policy/index.ts';
import type { Store } from '../store/store.ts';

const PAGE = 1000;

export interface Rebuilt {
  state: EngineState;
  lastSeq: number;
  lastAt: number;
  fromSnapshot: boolean;
  snapshotSeq: number;
  replayed: number;
  openIncidents: number;
}

/**
 * The engine state as the recorded history leaves it: the latest snapshot, then every recorded
 * input after it decided again at the time it was decided. The engine is deterministic, so this is
 * the state that was lost, as long as the config is the one that decided those inputs.
 */
export async function rebuildState(
  engine: Engine,
  store: Pick<Store, 'latestSnapshot' | 'listDecisions'>,
  until?: { seq: number },
): Promise<Rebuilt> {
  const snapshot = await store.latestSnapshot();
  const usable = snapshot && (until === undefined || snapshot.inputSeq <= until.seq);
  let state = usable ? (snapshot.state as EngineState) : engine.initialState();
  let lastSeq = usable ? snapshot.inputSeq : 0;
  let lastAt = usable ? snapshot.at : 0;
  let replayed = 0;
  for (;;) {
    const batch = await store.listDecisions({ afterSeq: lastSeq, limit: PAGE });
    for (const recorded of batch) {
      if (until !== undefined && recorded.seq > until.seq) return done();
      state = engine.decide(state, recorded.input as Input, recorded.at).state;
      lastSeq = recorded.seq;
      lastAt = recorded.at;
      replayed++;
    }
    if (batch.length < PAGE) return done();
  }

  function done(): Rebuilt {
    return {
      state,
      lastSeq,
      lastAt,
      fromSnapshot: Boolean(usable),
      snapshotSeq: usable ? snapshot.inputSeq : 0,
      replayed,
      openIncidents: openIncidents(state).length,
    };
  }
}
