import { startSilentServer } from '../../helpers/silent-server.ts';
import type { ProbeFixture } from '../contract.ts';
import { startGrpcServer } from '../grpc-servers.ts';
import { closedPort } from '../helpers.ts';

export const grpcFixture: ProbeFixture = {
  async healthy() {
    const { server, port } = await startGrpcServer((_call, callback) =>
      callback(null, { status: 1 }),
    );
    return { spec: { port }, close: async () => server.forceShutdown() };
  },
  async down() {
    return { spec: { port: await closedPort() }, close: async () => {} };
  },
  async hanging() {
    // Accepts TCP and never speaks HTTP/2: grpc-js alone would wait as long as the peer does.
    const silent = await startSilentServer();
    return { spec: { port: silent.port }, released: silent.released, close: silent.close };
  },
  verbose: null,
};
