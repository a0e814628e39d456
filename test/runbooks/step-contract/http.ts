import { closedPort } from '../../helpers/flaky-server.ts';
import { startSilentServer } from '../../helpers/silent-server.ts';
import type { StepFixture } from '../step-contract.ts';
import { startSupervised } from '../supervisor-server.ts';

export const httpFixture: StepFixture = {
  async passing() {
    const service = await startSupervised({ up: true });
    return { spec: { url: `${service.url}/` }, close: service.close };
  },
  failing: [
    async () => {
      const service = await startSupervised({ up: false });
      return { spec: { url: `${service.url}/` }, close: service.close };
    },
    async () => ({ spec: { url: `http://127.0.0.1:${await closedPort()}/restart` } }),
  ],
  async slow() {
    const silent = await startSilentServer();
    return {
      spec: { method: 'POST', url: `${silent.url}restart`, body: { unit: 'api' } },
      released: silent.released,
      close: silent.close,
    };
  },
  refused: { url: 'http://127.0.0.1:1/restart/{{service.labels.team}}' },
};
