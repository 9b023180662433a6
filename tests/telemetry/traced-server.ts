/**
 * A real `imbi serve` process (source or compiled binary) with its own databases, an
 * admin user seeded as `imbi setup` would, and OTEL_* pointing at an in-test OTLP receiver.
 */
import postgres from "postgres";
import { isolatedEnv } from "../helpers/app.ts";
import { startServer, type Server } from "../helpers/process.ts";
import { seedAdmin, seedPermissionsAndRoles } from "../../src/features/roles/seed.ts";

export const ADMIN = { email: "otel-admin@example.com", password: "Otel-Passw0rd-123" };

export interface TracedServer {
  server: Server;
  env: Record<string, string>;
  login(): Promise<{ accessToken: string; userId: string }>;
  /** SIGTERM and wait for the exit code. */
  stop(): Promise<number | null>;
  close(): Promise<void>;
}

export async function startTracedServer(otel: Record<string, string>, binary?: string): Promise<TracedServer> {
  const isolated = await isolatedEnv({ IMBI_API_LOG_LEVEL: "info", ...otel });
  let server: Server;
  try {
    server = await startServer(isolated.env, binary);
  } catch (error) {
    await isolated.drop();
    throw error;
  }
  const sql = postgres(isolated.env.POSTGRES_URL!, { max: 1, onnotice: () => {}, connection: { search_path: "imbi" } });
  await seedPermissionsAndRoles(sql);
  await seedAdmin(sql, {
    email: ADMIN.email, displayName: "Otel", organizationSlug: "otel", organizationName: "Otel",
    passwordHash: await Bun.password.hash(ADMIN.password, { algorithm: "argon2id" }),
  });
  const [user] = await sql<{ id: string }[]>`select id from users where email = ${ADMIN.email}`;
  await sql.end();
  let exited: Promise<number | null> | undefined;
  const stop = () => {
    exited ??= (server.proc.kill("SIGTERM"), server.proc.exited);
    return exited;
  };
  return {
    server, env: isolated.env, stop,
    async login() {
      const response = await fetch(`${server.base}/auth/login`, {
        method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(ADMIN),
      });
      if (response.status !== 200) throw new Error(`login failed: ${response.status} ${await response.text()}`);
      const { access_token } = (await response.json()) as { access_token: string };
      return { accessToken: access_token, userId: user!.id };
    },
    async close() {
      await stop();
      await isolated.drop();
    },
  };
}

/** A random W3C traceparent (sampled) and its parts. */
export function traceparent(): { header: string; traceId: string; spanId: string } {
  const traceId = Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("hex");
  const spanId = Buffer.from(crypto.getRandomValues(new Uint8Array(8))).toString("hex");
  return { header: `00-${traceId}-${spanId}-01`, traceId, spanId };
}
