/**
 * Helpers for the authorization-server suites: a browser (cookie jar, no automatic
 * redirects) driving the app, an oauth4webapi client configured against it, MFA
 * enrolment, and an https server for Client ID Metadata Documents with a self-signed
 * certificate whose CA only these tests trust.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generate } from "otplib";
import * as oauth from "oauth4webapi";
import type { TestApp } from "../../helpers/app.ts";
import { bearer, json, type TestUser } from "../../helpers/identity.ts";

export const API_URL = "http://imbi.test/api";
export const ISSUER = "http://imbi.test/api";
export const API_RESOURCE = "http://imbi.test/api";
export const MCP_RESOURCE = "http://imbi.test/mcp";
export const REDIRECT_URI = "http://127.0.0.1:43111/callback";

/** Requests go to the in-process app whatever host the URL names. */
export function appFetch(t: TestApp) {
  return (url: string, init?: RequestInit) => t.app.handle(new Request(url, init));
}

export function strictOptions(t: TestApp) {
  // http only because the test issuer is http://imbi.test; everything else stays strict.
  return { [oauth.customFetch]: appFetch(t), [oauth.allowInsecureRequests]: true } as const;
}

export async function discover(t: TestApp): Promise<oauth.AuthorizationServer> {
  const issuer = new URL(ISSUER);
  const response = await oauth.discoveryRequest(issuer, { algorithm: "oauth2", ...strictOptions(t) });
  return oauth.processDiscoveryResponse(issuer, response);
}

/** A browser: keeps cookies per name, never follows redirects. */
export class Browser {
  private cookies = new Map<string, string>();
  constructor(private t: TestApp) {}

  async fetch(url: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size) headers.set("cookie", [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; "));
    const response = await this.t.app.handle(new Request(new URL(url, "http://imbi.test").href, { ...init, headers, redirect: "manual" }));
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(";");
      const eq = pair!.indexOf("=");
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      if (value) this.cookies.set(name, value);
      else this.cookies.delete(name);
    }
    return response;
  }

  /** The SPA's login form: password, then the MFA code when asked for one. */
  async login(user: TestUser, mfaSecret?: string): Promise<void> {
    const first = await this.fetch("/api/auth/login", json({ email: user.email, password: user.password }));
    if (first.status === 200) return;
    if (!mfaSecret || first.headers.get("x-mfa-required") !== "true") throw new Error(`login failed: ${first.status}`);
    // Enrolment spent this step's code; the next step's is fresh (and within the accepted window).
    const second = await this.fetch("/api/auth/login", json({ email: user.email, password: user.password, mfa_code: await totp(mfaSecret, 1) }));
    if (second.status !== 200) throw new Error(`MFA login failed: ${second.status} ${await second.text()}`);
  }
}

export const totp = (secret: string, offsetSteps = 0) =>
  generate({ secret, digits: 6, period: 30, epoch: Math.floor(Date.now() / 1000) + offsetSteps * 30 });

export async function enrolMfa(t: TestApp, user: TestUser): Promise<string> {
  const loggedIn = await t.req("/api/auth/login", json({ email: user.email, password: user.password }));
  const { access_token } = (await loggedIn.json()) as { access_token: string };
  const setup = (await (await t.req("/api/mfa/setup", { method: "POST", headers: bearer(access_token) })).json()) as { secret: string };
  const verify = await t.req("/api/mfa/verify", json({ code: await totp(setup.secret) }, bearer(access_token)));
  if (verify.status !== 204) throw new Error(`MFA enrolment failed: ${verify.status}`);
  return setup.secret;
}

export async function registerClient(t: TestApp, metadata: Record<string, unknown> = {}): Promise<{ client_id: string } & Record<string, unknown>> {
  const response = await t.req("/api/auth/register", json({ client_name: "Test MCP client", redirect_uris: [REDIRECT_URI], ...metadata }));
  if (response.status !== 201) throw new Error(`registration failed: ${response.status} ${await response.text()}`);
  return (await response.json()) as { client_id: string };
}

export interface AuthorizationRequest {
  url: string;
  verifier: string;
  state: string;
}

export async function authorizationRequest(
  as: oauth.AuthorizationServer, clientId: string, extra: Record<string, string> = {},
): Promise<AuthorizationRequest> {
  const verifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const url = new URL(as.authorization_endpoint!);
  const params = {
    client_id: clientId, redirect_uri: REDIRECT_URI, response_type: "code", scope: "imbi", state,
    code_challenge: await oauth.calculatePKCECodeChallenge(verifier), code_challenge_method: "S256", resource: MCP_RESOURCE, ...extra,
  };
  for (const [name, value] of Object.entries(params)) if (value !== "") url.searchParams.set(name, value);
  return { url: url.href, verifier, state };
}

/** The consent page's ticket, posted back with the decision. */
export async function answerConsent(browser: Browser, page: Response, decision: "approve" | "deny"): Promise<Response> {
  const html = await page.text();
  const ticket = /name="ticket" value="([^"]+)"/.exec(html)?.[1];
  const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1];
  if (!ticket || !action) throw new Error("no consent form on the page");
  return browser.fetch(action, {
    method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ ticket, decision }).toString(),
  });
}

export interface MetadataServer {
  origin: string;
  ca: string;
  hits: number;
  /** Path → response the server gives. */
  routes: Map<string, () => Response | Promise<Response>>;
  stop(): void;
}

/** An https server on loopback with a fresh self-signed certificate for localhost/127.0.0.1. */
export function startMetadataServer(): MetadataServer {
  const dir = mkdtempSync(join(tmpdir(), "imbi-cimd-"));
  const made = Bun.spawnSync(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
    "-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem"), "-days", "1", "-subj", "/CN=localhost",
    "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"]);
  if (made.exitCode !== 0) throw new Error(`openssl failed: ${made.stderr.toString()}`);
  const cert = readFileSync(join(dir, "cert.pem"), "utf8");
  const key = readFileSync(join(dir, "key.pem"), "utf8");
  const routes = new Map<string, () => Response | Promise<Response>>();
  const state: MetadataServer = {
    origin: "", ca: cert, hits: 0, routes,
    stop: () => server.stop(true),
  };
  const server = Bun.serve({
    hostname: "127.0.0.1", port: 0, tls: { cert, key },
    fetch(request) {
      state.hits++;
      const route = routes.get(new URL(request.url).pathname);
      return route ? route() : new Response("not found", { status: 404 });
    },
  });
  state.origin = `https://localhost:${server.port}`;
  return state;
}
