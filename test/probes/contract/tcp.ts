import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { connect, createServer, type Socket } from 'node:net';
import type { ProbeFixture, ProbeTarget } from '../contract.ts';
import { close, closedPort, listen } from '../helpers.ts';

export const tcpFixture: ProbeFixture = {
  async healthy() {
    const server = createServer((socket) => socket.resume());
    const port = await listen(server);
    return { spec: { port }, close: () => close(server) };
  },
  async down() {
    return { spec: { port: await closedPort() }, close: async () => {} };
  },
  hanging: unansweredPort,
  verbose: null,
};

/**
 * A port where a connect never completes, on loopback: a listener that never accepts (a child
 * process whose event loop is blocked) with its accept queue filled, so the kernel drops further
 * SYNs and a client waits until it gives up.
 */
async function unansweredPort(): Promise<ProbeTarget> {
  const child = spawn(process.execPath, ['-e', NEVER_ACCEPTS], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const fillers: Socket[] = [];
  const stop = async (): Promise<void> => {
    for (const socket of fillers) socket.destroy();
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await once(child, 'exit');
    }
  };
  try {
    const [line] = (await once(child.stdout, 'data')) as [Buffer];
    const port = Number(line.toString().trim());
    // Each connect the queue still holds succeeds at once; the first that does not is dropped.
    for (let i = 0; i < 16; i++) {
      const socket = connect(port, '127.0.0.1').on('error', () => {});
      fillers.push(socket);
      if (!(await connectsWithin(socket, 100))) return { spec: { port }, close: stop };
    }
    throw new Error(`the accept queue of port ${port} never filled`);
  } catch (err) {
    await stop();
    throw err;
  }
}

const NEVER_ACCEPTS = `const server = require('node:net').createServer();
server.listen({ port: 0, host: '127.0.0.1', backlog: 1 }, () => {
  require('node:fs').writeSync(1, server.address().port + '\\n');
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
});`;

async function connectsWithin(socket: Socket, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  const connected = once(socket, 'connect').then(() => true as const);
  try {
    return await Promise.race([connected, late]);
  } finally {
    clearTimeout(timer);
  }
}
