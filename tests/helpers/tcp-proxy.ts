/**
 * A TCP relay in front of a real service, so a test can make that service "go away"
 * (cut every connection and refuse new ones) without stopping the shared stack.
 */
import type { Socket, TCPSocketListener } from "bun";

interface Pair {
  upstream?: Socket<Pair>;
  pending: Uint8Array[];
}

export interface TcpProxy {
  port: number;
  cut(): void;
}

export function startTcpProxy(targetHost: string, targetPort: number): TcpProxy {
  return relayOn(0, targetHost, targetPort);
}

/** A port on which nothing listens (bound, then released). */
export function deadPort(): number {
  const listener = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = listener.port;
  listener.stop(true);
  return port;
}

export interface RestorableTcpProxy extends TcpProxy {
  /** Listens again on the same port, so clients configured with it reconnect (no-op when open). */
  restore(): void;
}

/** Like startTcpProxy, but the service can come back: cut() then restore() on the same port. */
export function startRestorableTcpProxy(targetHost: string, targetPort: number): RestorableTcpProxy {
  let relay = relayOn(0, targetHost, targetPort);
  let open = true;
  const port = relay.port;
  return {
    port,
    cut() {
      if (open) relay.cut();
      open = false;
    },
    restore() {
      if (!open) relay = relayOn(port, targetHost, targetPort);
      open = true;
    },
  };
}

function relayOn(port: number, targetHost: string, targetPort: number): TcpProxy {
  const clients = new Set<Socket<Pair>>();
  const listener: TCPSocketListener<Pair> = Bun.listen<Pair>({
    hostname: "127.0.0.1",
    port,
    socket: {
      open(client) {
        client.data = { pending: [] };
        clients.add(client);
        void Bun.connect<Pair>({
          hostname: targetHost,
          port: targetPort,
          socket: {
            open(upstream) {
              client.data.upstream = upstream;
              for (const chunk of client.data.pending) upstream.write(chunk);
              client.data.pending = [];
            },
            data(_, chunk) { client.write(chunk); },
            close() { client.end(); },
            error() { client.end(); },
          },
        }).catch(() => client.end());
      },
      data(client, chunk) {
        if (client.data.upstream) client.data.upstream.write(chunk);
        else client.data.pending.push(new Uint8Array(chunk));
      },
      close(client) {
        clients.delete(client);
        client.data.upstream?.end();
      },
    },
  });
  return {
    port: listener.port,
    cut() {
      listener.stop(true);
      for (const client of clients) {
        client.data.upstream?.terminate();
        client.terminate();
      }
    },
  };
}
