/**
 * Fake identity providers for the upstream-login tests: real HTTP servers (Bun.serve on
 * 127.0.0.1) speaking the real protocols, never stubs of Imbi's own code.
 *
 *   startFakeOidc()              an OpenID provider: discovery, JWKS, /authorize, /token
 *                                (client auth, single-use codes, redirect_uri and PKCE S256
 *                                checks), RS256-signed ID tokens, /userinfo.
 *   startFakeOidc({google:true}) the same with Google's claim set (email_verified, hd,
 *                                picture); a provider of type `google` points its
 *                                issuer_url at it.
 *   startFakeGithub()            GitHub's OAuth web flow (/login/oauth/authorize,
 *                                /login/oauth/access_token with PKCE) and REST API under
 *                                /api/v3 (/user, /user/emails), as GitHub Enterprise Server
 *                                lays it out; a `github` provider's issuer_url points at it.
 *
 * /authorize approves at once as `idp.user` (a real IdP would show its login page first)
 * and redirects back with the code and the state. Tests steer the ID token through
 * `idp.tamper` (claims to override, or a foreign signing key).
 */
import { createHash, randomBytes } from "node:crypto";
import { exportJWK, generateKeyPair, SignJWT, type JWTPayload } from "jose";

export interface FakeOidcUser {
  sub: string;
  email?: string;
  email_verified?: boolean;
  name?: string;
  picture?: string;
}

interface IssuedCode {
  clientId: string;
  redirectUri: string;
  challenge: string | null;
  nonce: string | null;
  user: FakeOidcUser;
}

export interface FakeOidc {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Who /authorize signs in next. */
  user: FakeOidcUser;
  /** Claims merged into (or left out of) the next ID tokens, or a key that is not in the JWKS. */
  tamper: { claims?: JWTPayload; omit?: string[]; foreignKey?: boolean };
  /** The query of the last /authorize request. */
  lastAuthorize?: URLSearchParams;
  /** Token requests refused (bad client, code, redirect_uri or PKCE). */
  refusals: string[];
  close(): void;
}

const S256 = (verifier: string) => createHash("sha256").update(verifier).digest("base64url");
const json = (body: unknown, status = 200) => Response.json(body, { status, headers: { "cache-control": "no-store" } });

function clientOf(request: Request, form: URLSearchParams): { id: string | null; secret: string | null } {
  const header = request.headers.get("authorization");
  if (header?.startsWith("Basic ")) {
    const [id, secret] = atob(header.slice(6)).split(":").map(decodeURIComponent);
    return { id: id ?? null, secret: secret ?? null };
  }
  return { id: form.get("client_id"), secret: form.get("client_secret") };
}

function redirectBack(redirectUri: string, params: Record<string, string>): Response {
  const url = new URL(redirectUri);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  return new Response(null, { status: 302, headers: { location: url.toString() } });
}

export async function startFakeOidc(options: { google?: boolean; clientId?: string; clientSecret?: string } = {}): Promise<FakeOidc> {
  const { privateKey, publicKey } = await generateKeyPair("RS256");
  const foreign = await generateKeyPair("RS256");
  const jwk = { ...(await exportJWK(publicKey)), kid: "key-1", alg: "RS256", use: "sig" };
  const codes = new Map<string, IssuedCode>();
  const accessTokens = new Map<string, FakeOidcUser>();

  const idp: FakeOidc = {
    issuer: "", clientId: options.clientId ?? "fake-client", clientSecret: options.clientSecret ?? "fake-secret",
    user: { sub: "subject-1", email: "someone@example.com", email_verified: true, name: "Some One" },
    tamper: {}, refusals: [], close: () => server.stop(true),
  };

  async function idToken(issued: IssuedCode): Promise<string> {
    const { user } = issued;
    const now = Math.floor(Date.now() / 1000);
    const claims: JWTPayload = {
      iss: idp.issuer, aud: idp.clientId, iat: now, exp: now + 300,
      ...user,
      ...(options.google && user.email ? { hd: user.email.split("@")[1] } : {}),
      ...(issued.nonce ? { nonce: issued.nonce } : {}),
      ...idp.tamper.claims,
    };
    for (const name of idp.tamper.omit ?? []) delete claims[name];
    const key = idp.tamper.foreignKey ? foreign.privateKey : privateKey;
    return new SignJWT(claims).setProtectedHeader({ alg: "RS256", kid: "key-1" }).sign(key);
  }

  async function token(request: Request): Promise<Response> {
    const form = new URLSearchParams(await request.text());
    const refuse = (why: string, error = "invalid_grant") => {
      idp.refusals.push(why);
      return json({ error, error_description: why }, error === "invalid_client" ? 401 : 400);
    };
    const client = clientOf(request, form);
    if (client.id !== idp.clientId || client.secret !== idp.clientSecret) return refuse("client authentication failed", "invalid_client");
    if (form.get("grant_type") !== "authorization_code") return refuse("grant_type", "unsupported_grant_type");
    const code = form.get("code") ?? "";
    const issued = codes.get(code);
    codes.delete(code);
    if (!issued) return refuse("unknown or used code");
    if (issued.clientId !== client.id || issued.redirectUri !== form.get("redirect_uri")) return refuse("redirect_uri mismatch");
    if (issued.challenge && S256(form.get("code_verifier") ?? "") !== issued.challenge) return refuse("PKCE verification failed");
    const access = randomBytes(16).toString("hex");
    accessTokens.set(access, issued.user);
    return json({ access_token: access, token_type: "Bearer", expires_in: 3600, refresh_token: `refresh-${access}`, id_token: await idToken(issued) });
  }

  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch: async (request) => {
      const url = new URL(request.url);
      switch (url.pathname) {
        case "/.well-known/openid-configuration":
          return json({
            issuer: idp.issuer, authorization_endpoint: `${idp.issuer}/authorize`, token_endpoint: `${idp.issuer}/token`,
            jwks_uri: `${idp.issuer}/jwks`, userinfo_endpoint: `${idp.issuer}/userinfo`,
            response_types_supported: ["code"], subject_types_supported: ["public"], id_token_signing_alg_values_supported: ["RS256"],
            token_endpoint_auth_methods_supported: options.google ? ["client_secret_post", "client_secret_basic"] : ["client_secret_basic"],
            code_challenge_methods_supported: ["S256"], scopes_supported: ["openid", "email", "profile"],
          });
        case "/jwks":
          return json({ keys: [jwk] });
        case "/authorize": {
          idp.lastAuthorize = url.searchParams;
          const q = url.searchParams;
          if (q.get("client_id") !== idp.clientId || q.get("response_type") !== "code" || !q.get("redirect_uri")) return json({ error: "invalid_request" }, 400);
          const code = randomBytes(16).toString("hex");
          codes.set(code, {
            clientId: idp.clientId, redirectUri: q.get("redirect_uri")!, challenge: q.get("code_challenge_method") === "S256" ? q.get("code_challenge") : null,
            nonce: q.get("nonce"), user: { ...idp.user },
          });
          return redirectBack(q.get("redirect_uri")!, { code, state: q.get("state") ?? "" });
        }
        case "/token":
          return request.method === "POST" ? token(request) : json({ error: "invalid_request" }, 405);
        case "/userinfo": {
          const user = accessTokens.get(request.headers.get("authorization")?.replace(/^Bearer /, "") ?? "");
          return user ? json(user) : json({ error: "invalid_token" }, 401);
        }
      }
      return json({ error: "not_found" }, 404);
    },
  });
  idp.issuer = `http://127.0.0.1:${server.port}`;
  return idp;
}

export interface FakeGithubUser {
  id: number;
  login: string;
  name: string | null;
  avatar_url?: string;
  emails: { email: string; primary: boolean; verified: boolean }[];
}

export interface FakeGithub {
  /** The server URL (a provider's issuer_url); the API is under /api/v3. */
  url: string;
  clientId: string;
  clientSecret: string;
  user: FakeGithubUser;
  lastAuthorize?: URLSearchParams;
  refusals: string[];
  close(): void;
}

export async function startFakeGithub(): Promise<FakeGithub> {
  const codes = new Map<string, { redirectUri: string; challenge: string | null; user: FakeGithubUser }>();
  const tokens = new Map<string, FakeGithubUser>();
  const gh: FakeGithub = {
    url: "", clientId: "gh-client", clientSecret: "gh-secret",
    user: { id: 4242, login: "octo", name: "Octo Cat", avatar_url: "https://avatars.example/octo", emails: [{ email: "octo@example.com", primary: true, verified: true }] },
    refusals: [], close: () => server.stop(true),
  };
  const userOf = (request: Request) => tokens.get(request.headers.get("authorization")?.replace(/^Bearer /, "") ?? "");

  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch: async (request) => {
      const url = new URL(request.url);
      switch (url.pathname) {
        case "/login/oauth/authorize": {
          gh.lastAuthorize = url.searchParams;
          const q = url.searchParams;
          if (q.get("client_id") !== gh.clientId) return new Response("unknown client", { status: 404 });
          const code = randomBytes(10).toString("hex");
          codes.set(code, { redirectUri: q.get("redirect_uri") ?? "", challenge: q.get("code_challenge"), user: structuredClone(gh.user) });
          return redirectBack(q.get("redirect_uri")!, { code, state: q.get("state") ?? "" });
        }
        case "/login/oauth/access_token": {
          // GitHub answers refusals with 200 and an `error` field.
          const form = new URLSearchParams(await request.text());
          const refuse = (error: string) => {
            gh.refusals.push(error);
            return json({ error, error_description: error });
          };
          if (form.get("client_id") !== gh.clientId || form.get("client_secret") !== gh.clientSecret) return refuse("incorrect_client_credentials");
          const issued = codes.get(form.get("code") ?? "");
          codes.delete(form.get("code") ?? "");
          if (!issued) return refuse("bad_verification_code");
          if (issued.redirectUri !== form.get("redirect_uri")) return refuse("redirect_uri_mismatch");
          if (issued.challenge && S256(form.get("code_verifier") ?? "") !== issued.challenge) return refuse("bad_verification_code");
          const access = `gho_${randomBytes(16).toString("hex")}`;
          tokens.set(access, issued.user);
          return json({ access_token: access, token_type: "bearer", scope: "read:user,user:email" });
        }
        case "/api/v3/user": {
          const user = userOf(request);
          return user ? json({ id: user.id, login: user.login, name: user.name, avatar_url: user.avatar_url, email: null }) : json({ message: "Bad credentials" }, 401);
        }
        case "/api/v3/user/emails": {
          const user = userOf(request);
          return user ? json(user.emails.map((e) => ({ ...e, visibility: null }))) : json({ message: "Bad credentials" }, 401);
        }
      }
      return json({ message: "Not Found" }, 404);
    },
  });
  gh.url = `http://127.0.0.1:${server.port}`;
  return gh;
}
