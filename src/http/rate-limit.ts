/**
 * Rate limits as a route option (an Elysia macro): `{ rateLimit: "login" }` counts the
 * request against the named limit, keyed by route name + the real client IP (ctx.client,
 * X-Forwarded-For only from trusted proxies). API-key traffic is limited per key instead,
 * through `limitApiKey` (the auth plugin's onApiKeyRequest hook).
 *
 * The check runs in the transform phase, before body validation, so malformed attempts
 * count too. The `auth`/`permission` checks also run in transform, and macros apply in the
 * order the route lists them: list `rateLimit` first (`{ rateLimit: "logout", auth: true }`)
 * so that unauthenticated attempts are counted as well. Limited responses carry
 * RateLimit-Limit/-Remaining/-Reset (and RateLimit-Policy); a refusal is 429
 * `{"detail": "Rate limit exceeded: 5 per 1 minute"}` with Retry-After (D2), and the first
 * refusal of each key and window emits `rate_limit.exceeded`.
 */
import { Elysia } from "elysia";
import type { Settings } from "../config/settings.ts";
import type { EventBus, RequestMeta } from "../infra/events.ts";
import type { RateLimiter, RateLimitResult } from "../infra/rate-limiter.ts";
import { parseRateLimit, type RateLimitSpec } from "../lib/rate-limit-spec.ts";
import type { Principal } from "../features/auth/principal.ts";
import { HttpError } from "./errors.ts";
import { requestMeta } from "./request-context.ts";

type AuthSettings = Settings["auth"];
type RateLimitSource = { setting: keyof AuthSettings & `rate_limit_${string}` } | { fixed: string };

/** Every named limit, in one table: a seeded setting, or the reference's literal. */
export const RATE_LIMITS = {
  login: { setting: "rate_limit_login" },                 // POST /auth/login
  token_refresh: { setting: "rate_limit_token_refresh" }, // POST /auth/token/refresh
  oauth_init: { setting: "rate_limit_oauth_init" },       // GET /auth/oauth/{provider}
  api_key: { setting: "rate_limit_api_key" },             // every API-key request, per key
  logout: { fixed: "30/minute" },                          // POST /auth/logout
  mfa_verify: { fixed: "5/minute" },                       // POST /mfa/verify
  oauth_callback: { fixed: "10/minute" },                  // GET /auth/oauth/{provider}/callback
  oauth_token: { fixed: "10/minute" },                     // POST /auth/token
  oauth_authorize: { fixed: "20/minute" },                 // GET /auth/authorize
  oauth_register: { fixed: "10/minute" },                  // POST /auth/register
  forgot_password: { fixed: "5/minute" },                 // POST /auth/forgot-password
} as const satisfies Record<string, RateLimitSource>;

export type RateLimitName = keyof typeof RATE_LIMITS;
export type RateLimitTable = Record<RateLimitName, RateLimitSpec>;

/** Stands in for the client IP when there is no socket (in-process `app.handle` in tests). */
export const UNKNOWN_CLIENT_IP = "unknown";

/** The effective limits; `overrides` replace any of them (tests relax them this way). */
export function resolveRateLimits(auth: AuthSettings, overrides: Partial<Record<RateLimitName, string>> = {}): RateLimitTable {
  const table = {} as RateLimitTable;
  for (const [name, source] of Object.entries(RATE_LIMITS) as [RateLimitName, RateLimitSource][]) {
    const text = overrides[name] ?? ("setting" in source ? String(auth[source.setting]) : source.fixed);
    const spec = parseRateLimit(text);
    if (!spec) throw new Error(`invalid rate limit for ${name}: ${JSON.stringify(text)}`);
    table[name] = spec;
  }
  return table;
}

/** slowapi's wording: "5 per 1 minute", "10 per 2 hour". */
export function describeRate(spec: RateLimitSpec): string {
  const units: [string, number][] = [["day", 86400], ["hour", 3600], ["minute", 60], ["second", 1]];
  const [unit, seconds] = units.find(([, s]) => spec.windowSeconds % s === 0)!;
  return `${spec.limit} per ${spec.windowSeconds / seconds} ${unit}`;
}

export function rateLimitHeaders(spec: RateLimitSpec, result: RateLimitResult): Record<string, string> {
  return {
    "RateLimit-Limit": String(result.limit),
    "RateLimit-Remaining": String(result.remaining),
    "RateLimit-Reset": String(Math.ceil(result.resetMs / 1000)),
    "RateLimit-Policy": `${spec.limit};w=${spec.windowSeconds}`,
  };
}

export class RateLimitedError extends HttpError {
  constructor(spec: RateLimitSpec, result: RateLimitResult) {
    super(429, `Rate limit exceeded: ${describeRate(spec)}`, {
      ...rateLimitHeaders(spec, result),
      "Retry-After": String(Math.max(1, Math.ceil(result.resetMs / 1000))),
    });
  }
}

export interface RateLimitDeps {
  limiter: RateLimiter;
  limits: RateLimitTable;
  events: EventBus;
}

interface ApiKeyCall {
  spec: RateLimitSpec;
  result: RateLimitResult;
  principal: Principal;
}

export function createRateLimits(deps: RateLimitDeps) {
  const apiKeyCalls = new WeakMap<Request, ApiKeyCall>();

  /** Counts one request of `subject` (e.g. "ip:203.0.113.7") against the named limit. */
  async function check(name: RateLimitName, subject: string): Promise<{ spec: RateLimitSpec; result: RateLimitResult }> {
    const spec = deps.limits[name];
    return { spec, result: await deps.limiter.hit(`${name}:${subject}`, spec) };
  }

  function emitExceeded(name: RateLimitName, spec: RateLimitSpec, meta: RequestMeta, path: string, principal?: Principal): void {
    deps.events.emit({
      type: "rate_limit.exceeded", outcome: "failure",
      actor_type: principal?.kind ?? "anonymous", actor_id: principal?.id, actor_name: principal?.name,
      ip: meta.ip, user_agent: meta.userAgent, request_id: meta.requestId,
      detail: { limit: name, rate: spec.text, key: principal ? "api_key" : "ip", api_key_id: principal?.apiKeyId ?? null, path },
    });
  }

  /** The named limit for the caller's IP; throws RateLimitedError past it. */
  async function enforce(name: RateLimitName, ctx: { request: Request; set: { headers: Record<string, unknown> } }): Promise<void> {
    const meta = requestMeta(ctx);
    const { spec, result } = await check(name, `ip:${meta.ip || UNKNOWN_CLIENT_IP}`);
    if (result.allowed) {
      Object.assign(ctx.set.headers, rateLimitHeaders(spec, result));
      return;
    }
    if (result.firstRefusal) emitExceeded(name, spec, meta, new URL(ctx.request.url).pathname);
    throw new RateLimitedError(spec, result);
  }

  /** IMBI_AUTH_RATE_LIMIT_API_KEY per key id: wired as the auth plugin's onApiKeyRequest. */
  async function limitApiKey(principal: Principal, request: Request): Promise<void> {
    const { spec, result } = await check("api_key", `key:${principal.apiKeyId ?? principal.id}`);
    apiKeyCalls.set(request, { spec, result, principal });
    if (!result.allowed) throw new RateLimitedError(spec, result);
  }

  const plugin = new Elysia({ name: "imbi.rate-limit" })
    .macro({
      rateLimit: (name: RateLimitName) => ({
        async transform(ctx) {
          await enforce(name, ctx);
        },
      }),
    })
    // onApiKeyRequest sees only the Request: its headers and event are finished here.
    .onAfterHandle({ as: "global" }, ({ request, set }) => {
      const call = apiKeyCalls.get(request);
      if (call) Object.assign(set.headers, rateLimitHeaders(call.spec, call.result));
    })
    .onAfterResponse({ as: "global" }, (ctx) => {
      const call = apiKeyCalls.get(ctx.request);
      if (call && call.result.firstRefusal) {
        emitExceeded("api_key", call.spec, requestMeta(ctx), new URL(ctx.request.url).pathname, call.principal);
      }
    });

  return { plugin, check, enforce, limitApiKey, limits: deps.limits };
}

export type RateLimits = ReturnType<typeof createRateLimits>;
