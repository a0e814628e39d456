import type { StepFixture } from '../step-contract.ts';

const spec = { notifiers: ['oncall'], message: 'restarting {{service.name}}' };

export const notifyFixture: StepFixture = {
  passing: async () => ({ spec, context: { notify: async () => {} } }),
  failing: [
    async () => ({
      spec,
      context: {
        notify: async () => {
          throw new Error('oncall: 503 from the receiver');
        },
      },
    }),
    // A mend without notifiers wired in.
    async () => ({ spec }),
  ],
  // Delivery that never ends (a receiver that never answers, retried): the step must not wait.
  slow: async () => ({ spec, context: { notify: () => new Promise<void>(() => {}) } }),
  refused: { notifiers: ['oncall'], message: 'restarting {{service.labels.team}}' },
};
