/**
 * `imbi serve`: start the dependencies, then the HTTP server. On SIGTERM/SIGINT the
 * server stops accepting connections, lets in-flight requests finish (bounded), closes the
 * pools and exits 0.
 */
import { createApp } from "../app.ts";
import { createContext } from "../context.ts";
import { closeInfra, createInfra, startInfra } from "../infra/clients.ts";
import { createLogger } from "../infra/logger.ts";
import { errorMessage } from "../infra/retry.ts";
import { apiPrefix } from "../http/urls.ts";
import { VERSION } from "../version.ts";
import { loadConfigOrExit } from "./load-config.ts";

const DRAIN_TIMEOUT_MS = 25_000;

export async function serve(): Promise<void> {
  const { settings, warnings } = loadConfigOrExit();
  const logger = createLogger({ level: settings.server.log_level });
  for (const warning of warnings) logger.warn(warning);

  const infra = createInfra(settings);
  let stopBackground: () => void;
  try {
    stopBackground = await startInfra(infra, settings, logger);
  } catch (error) {
    logger.fatal({ err: errorMessage(error) }, `startup failed: ${errorMessage(error)}`);
    await closeInfra(infra);
    process.exit(1);
  }

  const ctx = createContext(settings, infra, logger);
  const app = createApp({ settings, infra, logger }, ctx);
  const server = app.listen({ hostname: settings.server.host, port: settings.server.port });
  const port = server.server?.port;
  logger.info({ host: settings.server.host, port, prefix: apiPrefix(settings.server) || "/", version: VERSION },
    `imbi ${VERSION} listening on http://${settings.server.host}:${port}`);

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "shutting down: draining in-flight requests");
    stopBackground();
    const forced = setTimeout(() => {
      logger.warn("drain timeout reached; closing remaining connections");
      void server.server?.stop(true);
    }, DRAIN_TIMEOUT_MS);
    await server.server?.stop(false);
    clearTimeout(forced);
    await ctx.close(); // buffered audit/usage rows go to ClickHouse before its client closes
    await closeInfra(infra);
    logger.info("stopped");
    process.exit(0);
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
}
