/**
 * {prefix}/auth/authorize (RFC 6749 §4.1, OAuth 2.1): the browser leg of the
 * authorization-code flow.
 *
 * GET checks the request in the order that decides who learns about a mistake: an unknown
 * client or a redirect URI not registered for it is answered here (400 {"detail"}), never
 * by redirecting to an unverified URI; every later error goes back to the client as
 * `error` (+ `state`, `iss`) on its redirect URI. Then the user: without an interactive
 * Imbi session (the SPA's access-token cookie or a Bearer header) the browser is bounced
 * to the SPA's /login with `return_to` pointing back here, so MCP login is the normal login
 * with its MFA and upstream providers. With a session, a client the user already approved
 * gets its code at once; otherwise the consent page (consent.ts) asks, and its form POSTs
 * back here.
 *
 * Codes bind the client, redirect URI, PKCE challenge (S256 only), user and the RFC 8707
 * resource (the API or /mcp) that becomes the tokens' audience. The redirect carries
 * RFC 9207 `iss`.
 */
import { Elysia } from "elysia";
import type { AppContext } from "../../context.ts";
import { AuthenticationError, HttpError, InputError } from "../../http/errors.ts";
import { requestMeta } from "../../http/request-context.ts";
import { authenticate, bearerToken } from "../auth/authenticate.ts";
import { ACCESS_COOKIE } from "../auth/cookies.ts";
import type { Principal } from "../auth/principal.ts";
import { cookieValue } from "../uploads/byte-auth.ts";
import { findClient, type OAuthClient } from "./clients.ts";
import { issueCode } from "./codes.ts";
import { consentPage, createTicket, hasConsent, recordConsent, takeTicket, type PendingAuthorization } from "./consent.ts";
import { SCOPES_SUPPORTED } from "./metadata.ts";
import { MetadataDocumentError } from "./metadata-document.ts";
import { redirectUriMatches } from "./redirect-uris.ts";
import { publicUrls, type PublicUrls } from "./resources.ts";
import type { RequestOriginSource } from "../../http/urls.ts";

/** BASE64URL(SHA-256(verifier)) is always 43 characters. */
const S256_CHALLENGE = /^[A-Za-z0-9_-]{43}$/;
const MAX_STATE_LENGTH = 2000;

type AuthorizeContext = RequestOriginSource & { request: Request };

/** Query parameters, each at most once (RFC 6749 §3.1); empty values count as absent. */
function readParams(search: URLSearchParams): { params: Map<string, string>; repeated: Set<string> } {
  const params = new Map<string, string>();
  const seen = new Set<string>();
  const repeated = new Set<string>();
  for (const [name, value] of search) {
    if (seen.has(name)) repeated.add(name);
    seen.add(name);
    if (value !== "") params.set(name, value);
  }
  return { params, repeated };
}

function redirectTo(location: string, status = 302): Response {
  return new Response(null, { status, headers: { location, "cache-control": "no-store" } });
}

/** The client's redirect URI with our parameters appended; its own query is kept byte for byte. */
function clientRedirect(redirectUri: string, values: Record<string, string | null>, status?: number): Response {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(values)) if (value !== null) query.append(name, value);
  return redirectTo(`${redirectUri}${redirectUri.includes("?") ? "&" : "?"}${query}`, status);
}

/** The user behind an interactive Imbi session (password or upstream login), or undefined. */
async function sessionUser(ctx: AppContext, c: AuthorizeContext, urls: PublicUrls): Promise<Principal | undefined> {
  const { request } = c;
  const token = request.headers.has("authorization") ? bearerToken(request) : cookieValue(request, ACCESS_COOKIE);
  if (!token || token.startsWith("ik_")) return undefined;
  try {
    const principal = await authenticate({ sql: ctx.infra.sql, auth: ctx.settings.auth, codec: ctx.codec }, token, { resource: urls.apiResource });
    // Only a login session may authorize a client: not a token some OAuth client was given.
    return principal.kind === "user" && principal.authMethod === "jwt" ? principal : undefined;
  } catch (error) {
    if (error instanceof AuthenticationError) return undefined;
    throw error;
  }
}

async function resolveClient(ctx: AppContext, clientId: string | undefined, repeated: boolean): Promise<OAuthClient> {
  if (!clientId || repeated) throw new InputError("Unknown client_id");
  try {
    const client = await findClient(ctx, clientId);
    if (!client) throw new InputError("Unknown client_id");
    return client;
  } catch (error) {
    if (error instanceof MetadataDocumentError) throw new InputError(`Invalid client_id: ${error.message}`);
    throw error;
  }
}

async function grantCode(ctx: AppContext, userId: string, pending: PendingAuthorization, status?: number): Promise<Response> {
  const { state, issuer, ...grant } = pending;
  const code = await issueCode(ctx, { ...grant, user_id: userId });
  return clientRedirect(pending.redirect_uri, { code, state, iss: issuer }, status);
}

async function authorize(ctx: AppContext, c: AuthorizeContext): Promise<Response> {
  const url = new URL(c.request.url);
  const urls = publicUrls(ctx.settings.server, c);
  const { params, repeated } = readParams(url.searchParams);
  const client = await resolveClient(ctx, params.get("client_id"), repeated.has("client_id"));
  const redirectUri = params.get("redirect_uri");
  if (!redirectUri || repeated.has("redirect_uri") || !redirectUriMatches(client.redirectUris, redirectUri)) {
    throw new InputError("redirect_uri not registered for this client");
  }

  const state = repeated.has("state") ? null : (params.get("state") ?? null);
  const fail = (error: string, description: string) =>
    clientRedirect(redirectUri, { error, error_description: description, state, iss: urls.issuer });
  const first = [...repeated][0];
  if (first) return fail(first === "resource" ? "invalid_target" : "invalid_request", `Parameter '${first}' is included more than once`);
  if (state && state.length > MAX_STATE_LENGTH) return fail("invalid_request", "state is too long");
  if (params.get("response_type") !== "code") return fail("unsupported_response_type", "Only response_type=code is supported");
  if (params.get("code_challenge_method") !== "S256") return fail("invalid_request", "PKCE with code_challenge_method=S256 is required");
  if (!S256_CHALLENGE.test(params.get("code_challenge") ?? "")) return fail("invalid_request", "code_challenge must be a BASE64URL-encoded SHA-256 digest");
  const scopes = (params.get("scope") ?? "").split(" ").filter(Boolean);
  const unknownScope = scopes.find((s) => !SCOPES_SUPPORTED.includes(s));
  if (unknownScope) return fail("invalid_scope", `Unknown scope: ${unknownScope.slice(0, 64)}`);
  // RFC 8707: the token is for one resource; without one it is for the API.
  const resource = params.get("resource") ?? urls.apiResource;
  if (resource !== urls.apiResource && resource !== urls.mcpResource) return fail("invalid_target", "Unknown resource");

  const user = await sessionUser(ctx, c, urls);
  if (!user) {
    const returnTo = `${urls.issuer}/auth/authorize${url.search}`;
    return redirectTo(`${urls.origin}/login?return_to=${encodeURIComponent(returnTo)}`);
  }
  const pending: PendingAuthorization = {
    client_id: client.clientId, redirect_uri: redirectUri, code_challenge: params.get("code_challenge")!,
    scope: SCOPES_SUPPORTED.join(" "), resource, state, issuer: urls.issuer,
  };
  if (await hasConsent(ctx.infra.sql, user.id, client.clientId)) return grantCode(ctx, user.id, pending);
  const page = consentPage({
    action: `${urls.issuer}/auth/authorize`, ticket: await createTicket(ctx, user.id, pending),
    clientName: client.clientName, clientId: client.clientId, redirectUri, userEmail: user.name,
  });
  return new Response(page.html, { status: 200, headers: page.headers });
}

async function decide(ctx: AppContext, c: AuthorizeContext): Promise<Response> {
  const urls = publicUrls(ctx.settings.server, c);
  const contentType = c.request.headers.get("content-type")?.split(";")[0]?.trim().toLowerCase();
  if (contentType !== "application/x-www-form-urlencoded") throw new HttpError(415, "The request body must be application/x-www-form-urlencoded");
  const form = new URLSearchParams((await c.request.text()).slice(0, 4096));
  const decision = form.get("decision");
  if (decision !== "approve" && decision !== "deny") throw new InputError("decision must be approve or deny");
  const user = await sessionUser(ctx, c, urls);
  if (!user) throw new AuthenticationError("Not authenticated");
  const ticket = await takeTicket(ctx, form.get("ticket") ?? "");
  if (!ticket || ticket.user_id !== user.id) throw new InputError("Invalid or expired consent request");

  const { request: pending } = ticket;
  const meta = requestMeta(c);
  const base = {
    outcome: "success" as const, actor_type: "user" as const, actor_id: user.id, actor_name: user.name,
    ip: meta.ip, user_agent: meta.userAgent, request_id: meta.requestId,
    detail: { client_id: pending.client_id, redirect_uri: pending.redirect_uri },
  };
  // 303: the browser follows a POST's redirect with a GET.
  if (decision === "deny") {
    ctx.events.emit({ ...base, type: "oauth_consent.denied" });
    return clientRedirect(pending.redirect_uri, { error: "access_denied", error_description: "The user denied the request", state: pending.state, iss: pending.issuer }, 303);
  }
  await recordConsent(ctx.infra.sql, user.id, pending.client_id);
  ctx.events.emit({ ...base, type: "oauth_consent.granted" });
  return grantCode(ctx, user.id, pending, 303);
}

export function oauthAuthorizeRoutes(ctx: AppContext) {
  return new Elysia({ name: "imbi.oauth-authorize", prefix: "/auth" })
    .use(ctx.auth)
    .get("/authorize", (c) => authorize(ctx, c as unknown as AuthorizeContext), {
      rateLimit: "oauth_authorize",
      detail: { tags: ["Auth"], summary: "OAuth 2.0 authorization endpoint (authorization code + PKCE S256)" },
    })
    .post("/authorize", (c) => decide(ctx, c as unknown as AuthorizeContext), {
      parse: "none",
      rateLimit: "oauth_authorize",
      detail: { tags: ["Auth"], summary: "The consent form's answer (approve or deny) for a pending authorization" },
    });
}
