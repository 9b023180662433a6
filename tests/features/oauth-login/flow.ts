/**
 * Drives a browser through the upstream login against a test app and a fake IdP: start at
 * GET /auth/oauth/{slug}, follow the redirect to the IdP over real HTTP, come back to the
 * callback with the IdP's code and state and the browser's binding cookie.
 */
import { expect } from "bun:test";
import type { TestApp } from "../../helpers/app.ts";
import { bearer, send } from "../../helpers/identity.ts";

export const BINDING = "imbi_oauth_binding";

/** IMBI_API_URL is the origin test requests use (http://localhost), so callback URLs are trusted. */
export const LOGIN_ENV = { IMBI_API_URL: "http://localhost" };

export function cookieValue(response: Response, name: string): string | undefined {
  for (const line of response.headers.getSetCookie()) {
    const [pair] = line.split(";");
    const [key, ...rest] = pair!.split("=");
    if (key!.trim() === name) return rest.join("=");
  }
  return undefined;
}

export async function putProvider(t: TestApp, token: string, slug: string, body: Record<string, unknown>): Promise<Response> {
  return t.req(`/admin/oauth-providers/${slug}`, send("PUT", body, bearer(token)));
}

export interface Started {
  response: Response;
  /** The IdP authorization URL. */
  authorize: URL;
  binding: string;
}

export async function start(t: TestApp, slug: string, options: { redirectUri?: string; cookie?: string; headers?: Record<string, string> } = {}): Promise<Started> {
  const query = options.redirectUri === undefined ? "" : `?redirect_uri=${encodeURIComponent(options.redirectUri)}`;
  const response = await t.req(`/auth/oauth/${slug}${query}`, {
    headers: { ...(options.cookie ? { cookie: `${BINDING}=${options.cookie}` } : {}), ...options.headers },
  });
  expect(response.status).toBe(307);
  const binding = cookieValue(response, BINDING);
  expect(binding).toBeString();
  return { response, authorize: new URL(response.headers.get("location")!), binding: binding! };
}

/** The browser at the IdP: it approves and redirects back; returns where to. */
export async function atIdp(authorize: URL | string): Promise<URL> {
  const response = await fetch(authorize, { redirect: "manual" });
  expect(response.status).toBe(302);
  return new URL(response.headers.get("location")!);
}

export async function callback(t: TestApp, url: URL, binding: string | undefined): Promise<Response> {
  return t.req(`${url.pathname}${url.search}`, { headers: binding ? { cookie: `${BINDING}=${binding}` } : {} });
}

export interface Landed {
  response: Response;
  location: string;
  /** The fragment's parameters (tokens or the MFA step). */
  fragment: URLSearchParams;
  /** The query's parameters (an error). */
  query: URLSearchParams;
}

export function landing(response: Response): Landed {
  expect(response.status).toBe(307);
  const location = response.headers.get("location")!;
  const url = new URL(location, "http://localhost");
  return { response, location, fragment: new URLSearchParams(url.hash.slice(1)), query: url.searchParams };
}

/** The whole round trip in one browser. */
export async function loginThrough(t: TestApp, slug: string, redirectUri = "/auth/callback"): Promise<Landed> {
  const started = await start(t, slug, { redirectUri });
  return landing(await callback(t, await atIdp(started.authorize), started.binding));
}
