import { recordSignal } from '../../store/contract/fixtures.ts';
import type { StepFixture } from '../step-contract.ts';
import { serviceWithCheck } from './service.ts';

const lead = {
  fingerprint: 'fp-live',
  source: 'probe',
  check: 'live',
  labels: {},
  summary: '3 consecutive failures',
  startsAt: 1000,
};

export const observationsFixture: StepFixture = {
  async passing(store) {
    await recordSignal(store, {
      ...lead,
      service: 'api',
      status: 'firing',
      at: 3000,
      evidence: [1000, 2000, 3000].map((startedAt) => ({
        ok: false,
        startedAt,
        durationMs: 2,
        error: 'connect ECONNREFUSED 127.0.0.1:8080',
      })),
    });
    return { spec: { count: 2 }, context: { service: serviceWithCheck(['true']), lead } };
  },
  // A run by hand has no signal, so no observations to keep.
  failing: [async () => ({ spec: {}, context: { service: serviceWithCheck(['true']) } })],
  slow: null,
  refused: null,
};
