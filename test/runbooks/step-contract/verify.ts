import type { StepFixture } from '../step-contract.ts';
import { serviceWithCheck } from './service.ts';

export const verifyFixture: StepFixture = {
  passing: async () => ({ spec: {}, context: { service: serviceWithCheck(['true']) } }),
  // Nothing to verify is a failure the run can act on (outcome unknown), not an exception.
  failing: [
    async () => ({ spec: { check: 'nope' }, context: { service: serviceWithCheck(['true']) } }),
    // A service the config no longer has.
    async () => ({ spec: {} }),
  ],
  slow: async () => ({
    spec: { interval: '50ms' },
    context: { service: serviceWithCheck(['sleep', '30'], { timeoutSeconds: 5 }) },
  }),
  refused: null,
};
