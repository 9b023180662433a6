/**
 * OpenID Connect (the `oidc` type, and `google`, which is an OIDC issuer): discovery,
 * the authorization URL (code flow, PKCE S256, nonce), the code exchange and the ID-token
 * checks with jose: signature against the issuer's JWKS (asymmetric algorithms only),
 * issuer, audience (and azp when there are several), expiry, and the nonce of this login.
 * Discovery documents and key sets are cached per issuer for an hour; jose refetches a
 * key set when a token names a key it has not seen (rotation).
 */
import { createRemoteJWKSet, jwtVerify, type JWTPayload } from "jose";
import { checkProviderUrl, type Provider } from "../oauth-providers/service.ts";
import { fetchJson, stringOrNull, tokensFrom, UpstreamError, type Profile, type ProviderTokens } from "./profile.ts";

export const GOOGLE_ISSUER = "https://accounts.google.com";
const DISCOVERY_TTL_MS = 3_600_000;
const ASYMMETRIC = /^(RS|PS|ES)(256|384|512)$|^EdDSA$|^ES256K$/;

interface Discovery {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  jwks_uri: string;
  userinfo_endpoint?: string;
  token_endpoint_auth_methods_supported?: string[];
  id_token_signing_alg_values_supported?: string[];
}

export interface AuthorizationRequest {
  redirectUri: string;
  state: string;
  nonce: string;
  codeChallenge: string;
}

export interface CodeExchange {
  code: string;
  redirectUri: string;
  codeVerifier: string;
  nonce: string;
  clientSecret: string | null;
}

export const issuerOf = (provider: Provider): string => (provider.issuer_url ?? (provider.type === "google" ? GOOGLE_ISSUER : "")).replace(/\/+$/, "");

function checkDiscovery(issuer: string, doc: Record<string, unknown>): Discovery {
  if (typeof doc.issuer !== "string" || doc.issuer.replace(/\/+$/, "") !== issuer) throw new UpstreamError("discovery_invalid", `discovery issuer ${String(doc.issuer)} is not ${issuer}`);
  for (const field of ["authorization_endpoint", "token_endpoint", "jwks_uri"] as const) {
    const value = doc[field];
    if (typeof value !== "string" || checkProviderUrl(value)) throw new UpstreamError("discovery_invalid", `discovery ${field} is missing or not https`);
  }
  if (doc.userinfo_endpoint !== undefined && (typeof doc.userinfo_endpoint !== "string" || checkProviderUrl(doc.userinfo_endpoint))) {
    throw new UpstreamError("discovery_invalid", "discovery userinfo_endpoint is not https");
  }
  return doc as unknown as Discovery;
}

export function createOidcClient(now = () => Date.now()) {
  const discoveries = new Map<string, { doc: Discovery; expires: number }>();
  const keySets = new Map<string, ReturnType<typeof createRemoteJWKSet>>();

  async function discover(issuer: string): Promise<Discovery> {
    const cached = discoveries.get(issuer);
    if (cached && cached.expires > now()) return cached.doc;
    const doc = checkDiscovery(issuer, await fetchJson(`${issuer}/.well-known/openid-configuration`, {}, "OIDC discovery"));
    discoveries.set(issuer, { doc, expires: now() + DISCOVERY_TTL_MS });
    return doc;
  }

  function keySet(uri: string) {
    let set = keySets.get(uri);
    if (!set) keySets.set(uri, (set = createRemoteJWKSet(new URL(uri), { timeoutDuration: 10_000 })));
    return set;
  }

  async function verifyIdToken(provider: Provider, doc: Discovery, idToken: string, nonce: string): Promise<JWTPayload> {
    const algorithms = (doc.id_token_signing_alg_values_supported ?? ["RS256"]).filter((alg) => ASYMMETRIC.test(alg));
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(idToken, keySet(doc.jwks_uri), {
        issuer: doc.issuer, audience: provider.client_id!, algorithms: algorithms.length ? algorithms : ["RS256"], clockTolerance: 60,
      }));
    } catch (error) {
      throw new UpstreamError("id_token_invalid", `ID token rejected: ${(error as Error).message}`);
    }
    if (Array.isArray(payload.aud) && payload.aud.length > 1 && payload.azp !== provider.client_id) {
      throw new UpstreamError("id_token_invalid", "ID token azp is not this client");
    }
    if (payload.nonce !== nonce) throw new UpstreamError("nonce_mismatch", "ID token nonce does not match this login");
    if (typeof payload.sub !== "string" || !payload.sub) throw new UpstreamError("id_token_invalid", "ID token has no sub");
    return payload;
  }

  return {
    async authorizationUrl(provider: Provider, request: AuthorizationRequest): Promise<string> {
      const doc = await discover(issuerOf(provider));
      const url = new URL(doc.authorization_endpoint);
      url.search = new URLSearchParams({
        ...Object.fromEntries(url.searchParams),
        response_type: "code", client_id: provider.client_id!, redirect_uri: request.redirectUri, scope: "openid email profile",
        state: request.state, nonce: request.nonce, code_challenge: request.codeChallenge, code_challenge_method: "S256",
        // Google: the hosted-domain hint when the provider admits exactly one domain (the gate itself is server-side).
        ...(provider.type === "google" && provider.allowed_domains.length === 1 ? { hd: provider.allowed_domains[0]! } : {}),
      }).toString();
      return url.toString();
    },

    async exchange(provider: Provider, exchange: CodeExchange): Promise<{ profile: Profile; tokens: ProviderTokens }> {
      const doc = await discover(issuerOf(provider));
      const form = new URLSearchParams({
        grant_type: "authorization_code", code: exchange.code, redirect_uri: exchange.redirectUri, code_verifier: exchange.codeVerifier,
      });
      const headers: Record<string, string> = { "content-type": "application/x-www-form-urlencoded", accept: "application/json" };
      const methods = doc.token_endpoint_auth_methods_supported ?? ["client_secret_basic"];
      if (exchange.clientSecret && methods.includes("client_secret_basic")) {
        headers.authorization = `Basic ${btoa(`${encodeURIComponent(provider.client_id!)}:${encodeURIComponent(exchange.clientSecret)}`)}`;
      } else {
        form.set("client_id", provider.client_id!);
        if (exchange.clientSecret) form.set("client_secret", exchange.clientSecret);
      }
      const body = await fetchJson(doc.token_endpoint, { method: "POST", headers, body: form }, "token request");
      if (typeof body.id_token !== "string") throw new UpstreamError("id_token_invalid", "token response has no id_token");
      const claims = await verifyIdToken(provider, doc, body.id_token, exchange.nonce);
      const tokens = tokensFrom(body);
      let info: Record<string, unknown> = claims;
      if (typeof claims.email !== "string" && doc.userinfo_endpoint && tokens.accessToken) {
        const userinfo = await fetchJson(doc.userinfo_endpoint, { headers: { authorization: `Bearer ${tokens.accessToken}`, accept: "application/json" } }, "userinfo");
        // OIDC Core 5.3.2: userinfo must describe the ID token's subject.
        if (userinfo.sub !== claims.sub) throw new UpstreamError("id_token_invalid", "userinfo sub differs from the ID token's");
        info = { ...claims, ...userinfo };
      }
      return {
        profile: {
          subject: claims.sub!,
          email: stringOrNull(info.email),
          emailVerified: info.email_verified === true || info.email_verified === "true",
          name: stringOrNull(info.name) ?? stringOrNull(info.preferred_username),
          avatarUrl: stringOrNull(info.picture),
        },
        tokens,
      };
    },
  };
}

export type OidcClient = ReturnType<typeof createOidcClient>;
