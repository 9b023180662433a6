/**
 * Benchmark: authenticated GET /users/me, once with a JWT access token and once with an
 * API key, on a real `imbi serve` process with its own fresh database on the stack.
 *   bun bench/users-me.ts [--connections 32] [--seconds 10]
 */
import { parseArgs } from "node:util";
import { startSignedInServer } from "./lib/signed-in-server.ts";
import { runLoad } from "./lib/load.ts";
import { report } from "./lib/report.ts";

const { values } = parseArgs({
  args: Bun.argv.slice(2),
  options: { connections: { type: "string", default: "32" }, seconds: { type: "string", default: "10" } },
});
const connections = Number(values.connections);
const seconds = Number(values.seconds);

const { server, accessToken: access_token, close } = await startSignedInServer({ IMBI_AUTH_RATE_LIMIT_API_KEY: "1000000/minute" });
try {
  const created = await fetch(`${server.base}/api-keys`, {
    method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${access_token}` }, body: JSON.stringify({ name: "bench" }),
  });
  const { key_secret } = (await created.json()) as { key_secret: string };

  for (const [scenario, token] of [["GET /users/me (JWT)", access_token], ["GET /users/me (API key)", key_secret]] as const) {
    const result = await runLoad({
      url: `${server.base}/users/me`, connections, durationMs: seconds * 1000, warmupMs: 2000,
      init: { headers: { authorization: `Bearer ${token}` } },
    });
    report(scenario, { connections, seconds }, result);
  }
} finally {
  await close();
}
