/** Helpers for the token-endpoint suites: form posts, Basic headers, JWT payloads. */
import type { TestApp } from "../../helpers/app.ts";

export const FORM = { "content-type": "application/x-www-form-urlencoded" };

export function tokenRequest(t: TestApp, params: Record<string, string>, headers: Record<string, string> = {}) {
  return t.req("/auth/token", { method: "POST", headers: { ...FORM, ...headers }, body: new URLSearchParams(params).toString() });
}

/** RFC 6749 §2.3.1: each half form-urlencoded, then base64 of "id:secret". */
export function basic(clientId: string, clientSecret: string): Record<string, string> {
  const encode = (s: string) => encodeURIComponent(s).replace(/%20/g, "+");
  return { authorization: `Basic ${Buffer.from(`${encode(clientId)}:${encode(clientSecret)}`).toString("base64")}` };
}

export function claimsOf(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split(".")[1]!, "base64url").toString("utf8")) as Record<string, unknown>;
}

export type TokenBody = { access_token: string; token_type: string; expires_in: number; scope: string | null; refresh_token: string };
export type ErrorBody = { error: string; error_description: string };
