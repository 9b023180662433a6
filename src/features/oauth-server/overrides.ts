/**
 * Knobs only code can turn, for tests: a shorter authorization-code lifetime (to observe
 * expiry without waiting a minute) and a metadata-document fetcher that trusts a
 * self-signed loopback test server (and gives up sooner, to observe the time limit). No setting, environment variable or request reaches
 * them: production never calls `overrideOAuthServer`, and the compiled binary has no code
 * path that could, so the SSRF guard cannot be switched off in a deployment.
 */
import type { AppContext } from "../../context.ts";
import type { SafeFetchOptions } from "./safe-fetch.ts";

export interface OAuthServerOverrides {
  codeTtlMs?: number;
  fetch?: Partial<Pick<SafeFetchOptions, "allowAddress" | "ca" | "timeoutMs">>;
}

const overrides = new WeakMap<AppContext, OAuthServerOverrides>();

export function overrideOAuthServer(ctx: AppContext, values: OAuthServerOverrides): void {
  overrides.set(ctx, { ...overrides.get(ctx), ...values });
}

export function overridesOf(ctx: AppContext): OAuthServerOverrides {
  return overrides.get(ctx) ?? {};
}
