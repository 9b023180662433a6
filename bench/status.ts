/**
 * Benchmark: GET /status on a real `imbi serve` process against the stack's services.
 *   bun bench/status.ts [--connections 32] [--seconds 10]
 * Needs the stack (`bash scripts/dev.sh stack`), whose .env supplies the service URLs.
 */
import { parseArgs } from "node:util";
import { join } from "node:path";
import { parseDotenv } from "../src/lib/dotenv.ts";
import { startServer } from "../tests/helpers/process.ts";
import { runLoad } from "./lib/load.ts";
import { report } from "./lib/report.ts";

const { values } = parseArgs({
  args: Bun.argv.slice(2),
  options: { connections: { type: "string", default: "32" }, seconds: { type: "string", default: "10" } },
});
const connections = Number(values.connections);
const seconds = Number(values.seconds);

const dotenv = Bun.file(join(import.meta.dir, "..", ".env"));
if (!(await dotenv.exists())) {
  console.error("no .env: start the stack first (bash scripts/dev.sh stack)");
  process.exit(1);
}
const server = await startServer({ ...parseDotenv(await dotenv.text()).values, IMBI_API_LOG_LEVEL: "warn" });
try {
  const result = await runLoad({ url: `${server.base}/status`, connections, durationMs: seconds * 1000, warmupMs: 2000 });
  report("GET /status", { connections, seconds }, result);
} finally {
  server.proc.kill("SIGTERM");
  await server.proc.exited;
}
