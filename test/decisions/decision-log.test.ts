import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { logDecision } from '../../src/decisions/decision-log.ts';
import type { Decision, EngineState, Input } from '../../src/policy/index.ts';
import { createLogger } from '../../src/support/log.ts';

function lines(input: Input, verdict: 'wait' | 'heal'): string[] {
  const out = new PassThrough();
  const seen: string[] = [];
  out.on('data', (chunk: Buffer) => seen.push(...chunk.toString().trim().split('\n')));
  const log = createLogger({ level: 'info', pretty: false, destination: out });
  const reason = {
    code: 'cooldown',
    incidentId: 'inc-1',
    service: 'api',
    numbers: {},
    message: 'cooldown 2s',
  };
  const decision = {
    state: {} as EngineState,
    commands: [],
    reasons: [reason],
    events: [{ type: 'decision', incidentId: 'inc-1', at: 0, verdict, reason, commandIds: [] }],
  } as unknown as Decision<EngineState>;
  logDecision(log, decision, input);
  return seen.map((line) => JSON.parse(line).msg);
}

test('the wait after a heal that succeeded is not logged at info; other decisions are', () => {
  const succeeded: Input = {
    kind: 'outcome',
    at: 0,
    commandId: 'inc-1:heal:1',
    result: 'succeeded',
  };
  const failed: Input = { kind: 'outcome', at: 0, commandId: 'inc-1:heal:1', result: 'failed' };
  assert.deepEqual(lines(succeeded, 'wait'), []);
  assert.deepEqual(lines(failed, 'wait'), ['inc-1 api: wait: cooldown 2s']);
  assert.deepEqual(lines(succeeded, 'heal'), ['inc-1 api: heal: cooldown 2s']);
  assert.deepEqual(lines({ kind: 'tick', at: 0 }, 'wait'), ['inc-1 api: wait: cooldown 2s']);
});

test('a link the hold beside it already says is not said twice; an unlink is said', () => {
  const out = new PassThrough();
  const seen: string[] = [];
  out.on('data', (chunk: Buffer) => seen.push(...chunk.toString().trim().split('\n')));
  const log = createLogger({ level: 'info', pretty: false, destination: out });
  const held = {
    code: 'dependency',
    incidentId: 'inc-2',
    service: 'api',
    numbers: {},
    message: 'held: healing db first',
  };
  const gone = {
    code: 'dependency',
    incidentId: 'inc-2',
    service: 'api',
    numbers: {},
    message: 'db recovered: judged on its own',
  };
  const decision = {
    state: {} as EngineState,
    commands: [],
    reasons: [held, gone],
    events: [
      {
        type: 'decision',
        incidentId: 'inc-2',
        at: 0,
        verdict: 'hold',
        reason: held,
        commandIds: [],
      },
      {
        type: 'linked',
        incidentId: 'inc-2',
        at: 0,
        rootIncidentId: 'inc-1',
        dependency: 'db',
        reason: held,
      },
      { type: 'unlinked', incidentId: 'inc-3', at: 0, dependency: 'db', reason: gone },
    ],
  } as unknown as Decision<EngineState>;
  logDecision(log, decision, { kind: 'tick', at: 0 });
  assert.deepEqual(
    seen.map((line) => JSON.parse(line).msg),
    ['inc-2 api: hold: held: healing db first', 'inc-3: db recovered: judged on its own'],
  );
});
