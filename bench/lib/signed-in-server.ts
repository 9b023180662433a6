/**
 * A real `imbi serve` process with its own fresh database and bucket on the stack, set up
 * as `imbi setup` would (permissions, roles, one admin), and that admin's access token.
 * `close()` stops the server and drops what it created.
 */
import postgres from "postgres";
import { isolatedEnv } from "../../tests/helpers/app.ts";
import { startServer, type Server } from "../../tests/helpers/process.ts";
import { seedAdmin, seedPermissionsAndRoles } from "../../src/features/roles/seed.ts";

export interface SignedInServer {
  server: Server;
  /** Bearer token of the admin user. */
  accessToken: string;
  close(): Promise<void>;
}

const EMAIL = "bench@example.com";
const PASSWORD = "Bench-Password-123";

export async function startSignedInServer(env: Record<string, string>): Promise<SignedInServer> {
  const isolated = await isolatedEnv({ IMBI_API_LOG_LEVEL: "warn", ...env });
  const server = await startServer(isolated.env);
  const close = async () => {
    server.proc.kill("SIGTERM");
    await server.proc.exited;
    await isolated.drop();
  };
  const sql = postgres(isolated.env.POSTGRES_URL!, { max: 1, onnotice: () => {}, connection: { search_path: "imbi" } });
  try {
    await seedPermissionsAndRoles(sql);
    await seedAdmin(sql, {
      email: EMAIL, displayName: "Bench", organizationSlug: "bench", organizationName: "Bench",
      passwordHash: await Bun.password.hash(PASSWORD, { algorithm: "argon2id" }),
    });
    const login = await fetch(`${server.base}/auth/login`, {
      method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ email: EMAIL, password: PASSWORD }),
    });
    const { access_token } = (await login.json()) as { access_token: string };
    return { server, accessToken: access_token, close };
  } catch (error) {
    await close();
    throw error;
  } finally {
    await sql.end();
  }
}
