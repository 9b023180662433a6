/**
 * Everything a feature needs, built once by app.ts and passed explicitly (no globals, no
 * clients created at import time).
 */
import { Elysia } from "elysia";
import type { Settings } from "./config/settings.ts";
import type { Infra } from "./infra/clients.ts";
import type { Logger } from "./infra/logger.ts";
import { EventBus } from "./infra/events.ts";
import { ClickHouseWriter } from "./infra/clickhouse-writer.ts";
import { RateLimiter, rateLimitNamespace } from "./infra/rate-limiter.ts";
import { Fernet } from "./lib/fernet.ts";
import { apiPrefix } from "./http/urls.ts";
import { authPlugin } from "./http/auth.ts";
import { createRateLimits, resolveRateLimits, type RateLimitName, type RateLimits } from "./http/rate-limit.ts";
import { createTokenCodec, type TokenCodec } from "./features/auth/tokens.ts";
import { subscribeAuditLog } from "./features/audit/audit-log.ts";
import { createApiKeyUsage } from "./features/audit/api-key-usage.ts";
import { EmailWorker } from "./features/email/worker.ts";
import { createEmailService, type EmailService } from "./features/email/service.ts";
import { SearchRuntime } from "./features/search/runtime.ts";

export interface AppContext {
  settings: Settings;
  infra: Infra;
  logger: Logger;
  events: EventBus;
  codec: TokenCodec;
  fernet: Fernet;
  /**
   * The route options every feature gets with `.use(ctx.auth)`: `auth`, `permission`
   * (http/auth.ts) and `rateLimit` (http/rate-limit.ts), plus the per-key API-key limit
   * and usage metrics.
   */
  auth: ReturnType<typeof routeGuards>;
  /** The named limits (RATE_LIMITS) and their check, for routes that limit by hand. */
  rateLimits: RateLimits;
  /** Buffered writes to ClickHouse analytics tables (audit log, API-key usage). */
  analytics: ClickHouseWriter;
  /** The path of IMBI_API_URL ("" or e.g. "/api"). */
  prefix: string;
  /** Transactional email: the flows (features/email/service.ts) and the outbox worker. */
  email: EmailService;
  emailWorker: EmailWorker;
  /** Search's background indexer and embedding models (features/search/runtime.ts). */
  search: SearchRuntime;
  /** Stops the email worker (after its current send), then delivers buffered analytics rows; call before closing the infrastructure. */
  close(): Promise<void>;
}

export interface ContextOptions {
  /** Replace named rate limits (e.g. relaxed ones in tests); settings apply otherwise. */
  rateLimits?: Partial<Record<RateLimitName, string>>;
}

function routeGuards(auth: ReturnType<typeof authPlugin>, rateLimits: RateLimits, usage: ReturnType<typeof createApiKeyUsage>) {
  return new Elysia({ name: "imbi.route-guards" }).use(auth).use(rateLimits.plugin).use(usage.plugin);
}

export function createContext(settings: Settings, infra: Infra, logger: Logger, options: ContextOptions = {}): AppContext {
  const events = new EventBus(logger);
  const codec = createTokenCodec(settings.auth);
  const analytics = new ClickHouseWriter(infra.clickhouse, logger, { isReady: () => !infra.pending.has("clickhouse") });
  subscribeAuditLog(events, analytics);

  const rateLimits = createRateLimits({
    limiter: new RateLimiter(infra.valkey, logger, rateLimitNamespace(settings.postgres.url)),
    limits: resolveRateLimits(settings.auth, options.rateLimits),
    events,
  });
  const usage = createApiKeyUsage(analytics);
  const auth = authPlugin({
    sql: infra.sql, auth: settings.auth, server: settings.server, codec, events,
    // Usage is tracked first so that requests refused by the per-key limit are counted too.
    onApiKeyRequest: async (principal, request) => {
      usage.track(principal, request);
      await rateLimits.limitApiKey(principal, request);
    },
  });

  const prefix = apiPrefix(settings.server);
  const emailWorker = new EmailWorker(infra.sql, settings.email, logger, analytics);
  const email = createEmailService({ sql: infra.sql, settings, logger, events, worker: emailWorker, prefix });
  emailWorker.start();
  const search = new SearchRuntime({ sql: infra.sql, logger, settings: settings.embeddings });
  search.start();

  return {
    settings, infra, logger, events, codec,
    fernet: new Fernet(settings.auth.encryption_key),
    auth: routeGuards(auth, rateLimits, usage),
    rateLimits,
    analytics,
    prefix,
    email, emailWorker,
    search,
    close: async () => {
      await search.close();
      await email.settle();
      await emailWorker.close();
      await analytics.close();
    },
  };
}
