import { after } from 'node:test';
import { type MonitoringProgram, startPrometheus } from '../../helpers/monitoring-programs.ts';
import { startSilentServer } from '../../helpers/silent-server.ts';
import type { ProbeFixture } from '../contract.ts';
import { closedPort } from '../helpers.ts';

/** One real Prometheus (Debian's) for the suite, started at the first test that needs it. */
let prometheus: Promise<MonitoringProgram> | undefined;
after(async () => {
  await (await prometheus)?.stop();
});

export const prometheusFixture: ProbeFixture = {
  async healthy() {
    prometheus ??= startPrometheus('global: { scrape_interval: 1m }\n');
    // Nothing returned: no series fails.
    return { spec: { url: (await prometheus).url, query: 'vector(1) > 2' }, close: async () => {} };
  },
  async down() {
    return {
      spec: { url: `http://127.0.0.1:${await closedPort()}`, query: 'up' },
      close: async () => {},
    };
  },
  async hanging() {
    const silent = await startSilentServer();
    return {
      spec: { url: silent.url, query: 'up' },
      released: () => silent.released(),
      close: () => silent.close(),
    };
  },
  verbose: null,
};
