import { isDeepStrictEqual } from 'node:util';
import type { Command, Reason } from '../policy/types.ts';
import { describeCommand, describeExpected, formatOffset } from './describe.ts';
import type { CaseIncident, CaseRun, Moment } from './run-case.ts';
import { offsetMs, type TestCase, type TestExpectation } from './schema.ts';

/** One way a case did not go as expected, readable on its own. */
export interface Mismatch {
  at: string;
  what: string;
  expected: string[];
  actual: string[];
}

/** Compare a run with the case's expectations. */
export function compareCase(testCase: TestCase, run: CaseRun, start: number): Mismatch[] {
  const out: Mismatch[] = [];
  const checkedCommands = new Set<number>();
  for (const expectation of testCase.expect) {
    const at = start + offsetMs(expectation.at);
    const moment = run.moments.get(at) ?? { commands: [], reasons: [], events: [] };
    if (expectation.commands !== undefined) {
      checkedCommands.add(at);
      out.push(...compareCommands(expectation, moment, start));
    }
    out.push(...compareReasons(expectation, moment));
    out.push(...compareEvents(expectation, moment));
    out.push(...compareState(expectation, run, at));
  }
  if (testCase.exhaustive) {
    for (const [at, moment] of [...run.moments].sort(([a], [b]) => a - b)) {
      if (moment.commands.length === 0 || checkedCommands.has(at)) continue;
      out.push({
        at: formatOffset(at - start),
        what: 'commands nobody expected (list them under an expectation at this time, or set exhaustive: false)',
        expected: ['(none)'],
        actual: moment.commands.map(describeCommand),
      });
    }
  }
  return out;
}

function compareCommands(expectation: TestExpectation, moment: Moment, start: number): Mismatch[] {
  const expected = expectation.commands!;
  const same =
    expected.length === moment.commands.length &&
    expected.every((want, i) => commandMatches(want, moment.commands[i]!, start));
  if (same) return [];
  return [
    {
      at: expectation.at,
      what: 'commands',
      expected: expected.length === 0 ? ['(none)'] : expected.map(describeExpected),
      actual: moment.commands.length === 0 ? ['(none)'] : moment.commands.map(describeCommand),
    },
  ];
}

function commandMatches(
  want: Record<string, Record<string, unknown>>,
  actual: Command,
  start: number,
): boolean {
  const [kind, fields] = Object.entries(want)[0]!;
  if (kind !== actual.kind) return false;
  return partialMatch(fields, actual as unknown as Record<string, unknown>, start);
}

/** Every field given must be equal; nested objects compare the same way; `...At: 5m` is relative. */
export function partialMatch(
  want: Record<string, unknown>,
  actual: Record<string, unknown>,
  start: number,
): boolean {
  return Object.entries(want).every(([key, value]) => {
    const found = actual[key];
    if (key.endsWith('At') && typeof value === 'string' && typeof found === 'number') {
      return start + offsetMs(value) === found;
    }
    if (isRecord(value) && isRecord(found)) return partialMatch(value, found, start);
    return isDeepStrictEqual(value, found);
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function compareReasons(expectation: TestExpectation, moment: Moment): Mismatch[] {
  const missing = (expectation.reasons ?? []).filter((want) => {
    const spec = typeof want === 'string' ? { code: want } : want;
    return !moment.reasons.some((reason) => reasonMatches(spec, reason));
  });
  if (missing.length === 0) return [];
  return [
    {
      at: expectation.at,
      what: 'reasons',
      expected: missing.map((want) => (typeof want === 'string' ? want : JSON.stringify(want))),
      actual:
        moment.reasons.length === 0
          ? ['(none)']
          : moment.reasons.map(
              (r) => `${r.code}${r.incidentId ? ` ${r.incidentId}` : ''}: ${r.message}`,
            ),
    },
  ];
}

function reasonMatches(
  want: Exclude<NonNullable<TestExpectation['reasons']>[number], string>,
  reason: Reason,
): boolean {
  if (want.code !== reason.code) return false;
  if (want.message !== undefined && !reason.message.includes(want.message)) return false;
  if (want.incidentId !== undefined && want.incidentId !== reason.incidentId) return false;
  if (want.policy !== undefined && want.policy !== reason.policy) return false;
  if (want.guardrail !== undefined && want.guardrail !== reason.guardrail) return false;
  return want.numbers === undefined || partialMatch(want.numbers, reason.numbers, 0);
}

function compareEvents(expectation: TestExpectation, moment: Moment): Mismatch[] {
  const missing = (expectation.events ?? []).filter(
    (want) =>
      !moment.events.some((event) =>
        partialMatch(want, event as unknown as Record<string, unknown>, 0),
      ),
  );
  if (missing.length === 0) return [];
  return [
    {
      at: expectation.at,
      what: 'events',
      expected: missing.map((want) => JSON.stringify(want)),
      actual:
        moment.events.length === 0
          ? ['(none)']
          : moment.events.map(
              (e) => `${e.type} ${e.incidentId}${'reason' in e ? `: ${e.reason.message}` : ''}`,
            ),
    },
  ];
}

function compareState(expectation: TestExpectation, run: CaseRun, at: number): Mismatch[] {
  const snapshot = run.snapshots.get(at)!;
  const out: Mismatch[] = [];
  for (const want of expectation.incidents ?? []) {
    const found = findIncident(snapshot.incidents, want);
    const wrong = found === undefined ? ['not found'] : incidentDifferences(want, found);
    if (wrong.length === 0) continue;
    out.push({
      at: expectation.at,
      what: `incident ${want.id ?? want.service ?? '?'}`,
      expected: [JSON.stringify(want)],
      actual:
        found === undefined
          ? snapshot.incidents.map(describeIncident)
          : [...wrong, describeIncident(found), `last decision: ${found.lastReason}`],
    });
  }
  for (const want of expectation.breakers ?? []) {
    const found = snapshot.breakers.find(
      (b) => b.service === want.service && b.runbook === want.runbook,
    );
    const state = found?.state ?? 'closed';
    const attempts = found?.attempts.length ?? 0;
    const ok =
      (want.state === undefined || want.state === state) &&
      (want.attempts === undefined || want.attempts === attempts);
    if (ok) continue;
    out.push({
      at: expectation.at,
      what: `breaker ${want.service}/${want.runbook}`,
      expected: [JSON.stringify(want)],
      actual: [JSON.stringify({ state, attempts })],
    });
  }
  return out;
}

type WantIncident = NonNullable<TestExpectation['incidents']>[number];

function findIncident(incidents: CaseIncident[], want: WantIncident): CaseIncident | undefined {
  if (want.id !== undefined) return incidents.find((incident) => incident.id === want.id);
  const ofService = incidents.filter((incident) => incident.service === want.service);
  return ofService.find((incident) => incident.status === 'open') ?? ofService.at(-1);
}

function incidentDifferences(want: WantIncident, found: CaseIncident): string[] {
  const out: string[] = [];
  for (const key of [
    'service',
    'status',
    'phase',
    'policy',
    'linkedTo',
    'attempts',
    'rung',
  ] as const) {
    if (want[key] === undefined || want[key] === found[key]) continue;
    out.push(`${key}: expected ${JSON.stringify(want[key])}, found ${JSON.stringify(found[key])}`);
  }
  return out;
}

function describeIncident(incident: CaseIncident): string {
  return `${incident.id} ${incident.service} ${incident.status} phase=${incident.phase} policy=${incident.policy} attempts=${incident.attempts}${incident.linkedTo ? ` linkedTo=${incident.linkedTo}` : ''}`;
}
