import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chronicOf } from '../../src/notify/chronic.ts';
import type { IncidentWithTimeline } from '../../src/store/store.ts';

const incident = (
  fields: Record<string, unknown>,
  timeline: IncidentWithTimeline['timeline'] = [],
): IncidentWithTimeline => ({
  id: 'inc-1',
  service: 'api',
  status: 'open',
  title: 'api',
  openedAt: 0,
  fields,
  timeline,
});

test('chronic: from the engine’s timeline entry, the incident’s fields, or the page’s flag; always the sentence', () => {
  const sentence =
    'api healed 3 times in 24h: healing is hiding a recurring failure (chronic from 3 verified heals within 24h)';
  const event = {
    id: 9,
    incidentId: 'inc-1',
    at: 5,
    type: 'chronic',
    payload: { type: 'chronic', heals: 3, withinMs: 86_400_000, reason: { message: sentence } },
  };
  assert.deepEqual(chronicOf(incident({}, [event]), false), {
    chronic: true,
    note: `Chronic: ${sentence}.`,
  });
  assert.deepEqual(chronicOf(incident({ chronic: true }), false), {
    chronic: true,
    note: 'Chronic: healing is hiding a recurring failure.',
  });
  assert.deepEqual(chronicOf(incident({}), true), {
    chronic: true,
    note: 'Chronic: healing is hiding a recurring failure.',
  });
  assert.deepEqual(chronicOf(incident({}), false), { chronic: false });
  assert.deepEqual(chronicOf(undefined, false), { chronic: false });
});
