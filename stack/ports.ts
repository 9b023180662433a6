// Ephemeral loopback ports, chosen by the kernel rather than guessed, so several
// stacks (and the machine's own services on 5432/6379) never collide.
import { createServer, type Server } from "node:net";

function listenOnZero(): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve(server));
  });
}

/**
 * Returns `count` distinct free ports on 127.0.0.1. All listeners stay open until
 * every port is known (so the kernel cannot hand out the same port twice), then
 * they are closed for the services to bind. The window between close and bind is
 * tiny; a service that loses the race fails its readiness check loudly.
 */
export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(Array.from({ length: count }, listenOnZero));
  const ports = servers.map((s) => {
    const address = s.address();
    if (address === null || typeof address === "string") throw new Error("unexpected listener address");
    return address.port;
  });
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  return ports;
}
