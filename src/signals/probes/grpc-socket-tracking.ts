import type { Socket } from 'node:net';
import { ChannelCredentials } from '@grpc/grpc-js';

type ConnectorArgs = Parameters<ChannelCredentials['_createSecureConnector']>;
type SecureConnector = ReturnType<ChannelCredentials['_createSecureConnector']>;

/**
 * Channel credentials that remember the sockets their connections use, so a probe can destroy
 * them when it ends. grpc-js (1.14) shuts a connection whose HTTP/2 handshake never completed
 * with a graceful session.close(), which leaves the TCP socket open for as long as the peer
 * keeps it: a target that accepts connections and never speaks would leak a socket per probe.
 * `_createSecureConnector` is the hook grpc-js's own credentials implement (it is in its typings).
 */
export class SocketTrackingCredentials extends ChannelCredentials {
  readonly #inner: ChannelCredentials;
  readonly #sockets = new Set<Socket>();

  constructor(inner: ChannelCredentials) {
    super();
    this.#inner = inner;
  }

  override _isSecure(): boolean {
    return this.#inner._isSecure();
  }

  override _equals(other: ChannelCredentials): boolean {
    return other === this;
  }

  override _createSecureConnector(...args: ConnectorArgs): SecureConnector {
    const connector = this.#inner._createSecureConnector(...args);
    return {
      connect: async (socket) => {
        this.#sockets.add(socket);
        const result = await connector.connect(socket);
        this.#sockets.add(result.socket);
        return result;
      },
      waitForReady: () => connector.waitForReady(),
      getCallCredentials: () => connector.getCallCredentials(),
      destroy: () => connector.destroy(),
    };
  }

  destroySockets(): void {
    for (const socket of this.#sockets) socket.destroy();
    this.#sockets.clear();
  }
}
