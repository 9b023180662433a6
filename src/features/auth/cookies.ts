/**
 * The SPA's cookies (names and paths as the reference): the refresh token only travels to
 * {prefix}/auth, the access token (for <img src> and /auth/authorize) to the whole API.
 * Secure everywhere but development, where the SPA runs on plain http://localhost.
 */
import type { Cookie } from "elysia";
import type { Settings } from "../../config/settings.ts";
import type { TokenResponse } from "./issue.ts";

export const REFRESH_COOKIE = "imbi_refresh_token";
export const ACCESS_COOKIE = "imbi_access_token";

type Jar = Record<string, Cookie<unknown>>;

function options(settings: Settings, path: string, maxAge: number) {
  return { path, httpOnly: true, sameSite: "strict" as const, secure: settings.server.environment !== "development", maxAge };
}

export function setAuthCookies(jar: Jar, settings: Settings, prefix: string, tokens: TokenResponse): void {
  jar[REFRESH_COOKIE]!.set({ value: tokens.refresh_token, ...options(settings, `${prefix}/auth`, settings.auth.refresh_token_expire_seconds) });
  jar[ACCESS_COOKIE]!.set({ value: tokens.access_token, ...options(settings, prefix || "/", settings.auth.access_token_expire_seconds) });
}

export function clearAuthCookies(jar: Jar, settings: Settings, prefix: string): void {
  jar[REFRESH_COOKIE]!.set({ value: "", ...options(settings, `${prefix}/auth`, 0) });
  jar[ACCESS_COOKIE]!.set({ value: "", ...options(settings, prefix || "/", 0) });
}
