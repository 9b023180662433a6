/**
 * `imbi serve`: start OpenTelemetry (when OTEL_* asks for it), the dependencies, then the
 * HTTP server. On SIGTERM/SIGINT the server closes its connections after their next
 * response (a short grace), stops accepting connections, lets in-flight requests finish
 * (bounded), closes the pools, exports the last spans and exits 0.
 */
import { createApp } from "../app.ts";
import { createContext } from "../context.ts";
import { closeInfra, createInfra, startInfra } from "../infra/clients.ts";
import { createLogger } from "../infra/logger.ts";
import { queueDepth } from "../features/search/repo/queue.ts";
import { startTelemetry, stopTelemetry, withDotenvOtel } from "../infra/telemetry.ts";
import { errorMessage } from "../infra/retry.ts";
import { apiPrefix } from "../http/urls.ts";
import { VERSION } from "../version.ts";
import { loadConfigOrExit } from "./load-config.ts";

const DRAIN_TIMEOUT_MS = 25_000;
/**
 * Closing the listener also closes idle keep-alive connections at once, and a balancer
 * may be sending a request on one at that moment: a POST lost that way is not retried
 * (nginx's rule). So for this long after the signal the server keeps answering, each
 * response with `Connection: close`, and the balancer's pooled connections end cleanly.
 */
const DRAIN_GRACE_MS = 1000;

export async function serve(): Promise<void> {
  const { settings, warnings } = loadConfigOrExit();
  const logger = createLogger({ level: settings.server.log_level });
  for (const warning of warnings) logger.warn(warning);

  // Before the clients are created: they are wrapped for tracing as they are made.
  const telemetry = await startTelemetry(withDotenvOtel(process.env), logger);
  const infra = createInfra(settings);
  let stopBackground: () => void;
  try {
    stopBackground = await startInfra(infra, settings, logger);
  } catch (error) {
    logger.fatal({ err: errorMessage(error) }, `startup failed: ${errorMessage(error)}`);
    await closeInfra(infra);
    await stopTelemetry();
    process.exit(1);
  }

  const ctx = createContext(settings, infra, logger);
  telemetry?.observeQueues({
    sql: infra.sql, analyticsBuffered: () => ctx.analytics.buffered, searchQueued: () => queueDepth(infra.sql),
    poolMax: settings.postgres.max_pool_size,
  });
  const app = createApp({ settings, infra, logger }, ctx);
  let draining = false;
  app.onRequest(({ set }) => {
    if (draining) set.headers.connection = "close";
  });
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
    draining = true;
    await Bun.sleep(DRAIN_GRACE_MS);
    const forced = setTimeout(() => {
      logger.warn("drain timeout reached; closing remaining connections");
      void server.server?.stop(true);
    }, DRAIN_TIMEOUT_MS);
    await server.server?.stop(false);
    clearTimeout(forced);
    await ctx.close(); // buffered audit/usage rows go to ClickHouse before its client closes
    await closeInfra(infra);
    await stopTelemetry(); // last: the spans of the drain itself are exported too
    logger.info("stopped");
    process.exit(0);
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
}
