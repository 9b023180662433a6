/**
 * Test apps make every request from one client (in-process requests have no socket, so
 * they share the rate limiter's placeholder IP). Limits a test did not ask for are relaxed,
 * so suites that log in many times are not throttled; a limit whose setting the test sets
 * (IMBI_AUTH_RATE_LIMIT_*) keeps that value, and `startTestApp(..., { rateLimits: "enforced" })`
 * keeps every limit as configured, the reference literals included.
 */
import { RATE_LIMITS, type RateLimitName } from "../../src/http/rate-limit.ts";

export const RELAXED_RATE_LIMIT = "100000/minute";

export function relaxedRateLimits(overrides: Record<string, string>): Partial<Record<RateLimitName, string>> {
  const relaxed: Partial<Record<RateLimitName, string>> = {};
  for (const [name, source] of Object.entries(RATE_LIMITS) as [RateLimitName, { setting?: string }][]) {
    const env = source.setting ? `IMBI_AUTH_${source.setting.toUpperCase()}` : undefined;
    if (!env || !(env in overrides)) relaxed[name] = RELAXED_RATE_LIMIT;
  }
  return relaxed;
}
