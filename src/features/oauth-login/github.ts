/**
 * GitHub (github.com, or GitHub Enterprise Server when the provider's issuer_url names the
 * server): the OAuth web flow with PKCE S256, then the user and verified-email APIs. The
 * email is the primary address GitHub marks verified; an account without one cannot sign in
 * (GitHub's public profile email is not verified, so it is never used).
 */
import type { Provider } from "../oauth-providers/service.ts";
import { fetchJson, tokensFrom, UpstreamError, stringOrNull, type Profile, type ProviderTokens } from "./profile.ts";
import type { AuthorizationRequest, CodeExchange } from "./oidc.ts";

export const GITHUB_SERVER = "https://github.com";
const SCOPES = "read:user user:email";

const serverOf = (provider: Provider) => (provider.issuer_url ?? GITHUB_SERVER).replace(/\/+$/, "");

/** github.com's API has its own host; Enterprise Server serves it under /api/v3. */
export function apiBaseOf(provider: Provider): string {
  const server = serverOf(provider);
  return server === GITHUB_SERVER ? "https://api.github.com" : `${server}/api/v3`;
}

export function githubAuthorizationUrl(provider: Provider, request: AuthorizationRequest): string {
  const url = new URL(`${serverOf(provider)}/login/oauth/authorize`);
  url.search = new URLSearchParams({
    client_id: provider.client_id!, redirect_uri: request.redirectUri, scope: SCOPES, state: request.state,
    code_challenge: request.codeChallenge, code_challenge_method: "S256", allow_signup: "false",
  }).toString();
  return url.toString();
}

interface GithubEmail {
  email?: unknown;
  primary?: unknown;
  verified?: unknown;
}

export async function githubExchange(provider: Provider, exchange: CodeExchange): Promise<{ profile: Profile; tokens: ProviderTokens }> {
  const body = await fetchJson(`${serverOf(provider)}/login/oauth/access_token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
    body: new URLSearchParams({
      client_id: provider.client_id!, client_secret: exchange.clientSecret ?? "", code: exchange.code,
      redirect_uri: exchange.redirectUri, code_verifier: exchange.codeVerifier,
    }),
  }, "GitHub token request");
  // GitHub answers a refused code with 200 and an `error` field.
  if (typeof body.error === "string" || typeof body.access_token !== "string") {
    throw new UpstreamError("provider_error", `GitHub token request: ${String(body.error ?? "no access_token")}`);
  }
  const tokens = tokensFrom(body);
  const headers = { authorization: `Bearer ${tokens.accessToken}`, accept: "application/vnd.github+json" };
  const api = apiBaseOf(provider);
  const user = await fetchJson(`${api}/user`, { headers }, "GitHub user");
  if (typeof user.id !== "number" && typeof user.id !== "string") throw new UpstreamError("provider_error", "GitHub user has no id");
  const emails = await fetch(`${api}/user/emails`, { headers, redirect: "error", signal: AbortSignal.timeout(10_000) })
    .then(async (r) => (r.ok ? ((await r.json()) as GithubEmail[]) : []))
    .catch(() => [] as GithubEmail[]);
  const primary = Array.isArray(emails) ? emails.find((e) => e.primary === true && e.verified === true && typeof e.email === "string") : undefined;
  return {
    profile: {
      subject: String(user.id),
      email: (primary?.email as string | undefined) ?? null,
      emailVerified: primary !== undefined,
      name: stringOrNull(user.name) ?? stringOrNull(user.login),
      avatarUrl: stringOrNull(user.avatar_url),
    },
    tokens,
  };
}
