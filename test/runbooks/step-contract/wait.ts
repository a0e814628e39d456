import type { StepFixture } from '../step-contract.ts';

export const waitFixture: StepFixture = {
  passing: async () => ({ spec: { duration: '10ms' } }),
  // A wait cannot fail; it can only be cut.
  failing: [],
  slow: async () => ({ spec: { duration: '10s' } }),
  refused: null,
};
