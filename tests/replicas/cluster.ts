/**
 * Several real `imbi serve` processes of one installation (same PostgreSQL, ClickHouse,
 * Valkey and bucket), and a round-robin load balancer in front of them.
 *
 * The balancer does what nginx does by default (`proxy_next_upstream error timeout`): a
 * request goes to the next upstream in turn; if that upstream refuses the connection
 * (nothing was sent, so any method may move on) the request is passed to the next one,
 * and an idempotent request (GET, HEAD, PUT, DELETE, OPTIONS) is also passed on when the
 * connection fails after sending. A non-idempotent request that fails mid-flight is
 * answered 502, as nginx does; the drain must therefore never cut one off.
 */
import { isolatedEnv } from "../helpers/app.ts";
import { startServer, type Server } from "../helpers/process.ts";

export interface Cluster {
  env: Record<string, string>;
  servers: Server[];
  /** Starts one more replica (e.g. the replacement in a rolling restart). */
  add(): Promise<Server>;
  /** SIGTERM one replica and wait for its exit code. */
  stop(server: Server): Promise<number | null>;
  close(): Promise<void>;
}

export async function startCluster(size: number, overrides: Record<string, string> = {}): Promise<Cluster> {
  const { env, drop } = await isolatedEnv({ IMBI_API_LOG_LEVEL: "info", ...overrides });
  const servers: Server[] = [];
  const cluster: Cluster = {
    env, servers,
    async add() {
      const server = await startServer(env);
      servers.push(server);
      return server;
    },
    async stop(server) {
      server.proc.kill("SIGTERM");
      const code = await server.proc.exited;
      servers.splice(servers.indexOf(server), 1);
      return code;
    },
    async close() {
      await Promise.all(servers.map((s) => (s.proc.kill("SIGTERM"), s.proc.exited)));
      await drop();
    },
  };
  try {
    // All at once, as replicas of a deployment start: startup migrations race.
    servers.push(...(await Promise.all(Array.from({ length: size }, () => startServer(env)))));
  } catch (error) {
    await cluster.close();
    throw error;
  }
  return cluster;
}

const IDEMPOTENT = new Set(["GET", "HEAD", "PUT", "DELETE", "OPTIONS"]);

export interface Balancer {
  url: string;
  /** Requests passed to another upstream, by reason. */
  retries: { refused: number; failedIdempotent: number };
  stop(): void;
}

/** `upstreams()` is read per request, so replicas can join and leave while it runs. */
export function startBalancer(upstreams: () => string[]): Balancer {
  let next = 0;
  const retries = { refused: 0, failedIdempotent: 0 };
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(request) {
      const url = new URL(request.url);
      const body = request.method === "GET" || request.method === "HEAD" ? undefined : await request.arrayBuffer();
      const targets = upstreams();
      const start = next++;
      for (let i = 0; i < targets.length; i++) {
        const base = targets[(start + i) % targets.length]!;
        try {
          const response = await fetch(`${base}${url.pathname}${url.search}`, {
            method: request.method, headers: request.headers, body, redirect: "manual",
          });
          // Buffered, so a connection reset while reading the body counts as a failure here.
          const payload = await response.arrayBuffer();
          const headers = new Headers(response.headers);
          for (const hop of ["content-length", "content-encoding", "transfer-encoding", "connection"]) headers.delete(hop);
          return new Response(payload, { status: response.status, headers });
        } catch (error) {
          const code = (error as { code?: string }).code;
          const refused = code === "ECONNREFUSED" || code === "ConnectionRefused";
          if (refused) retries.refused++;
          else if (IDEMPOTENT.has(request.method)) retries.failedIdempotent++;
          else return new Response(`upstream failed: ${String(error)}`, { status: 502 });
        }
      }
      return new Response("no upstream available", { status: 502 });
    },
  });
  return { url: `http://127.0.0.1:${server.port}`, retries, stop: () => server.stop(true) };
}
