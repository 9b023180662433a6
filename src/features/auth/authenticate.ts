/**
 * Turning `Authorization: Bearer …` into a Principal: a JWT access token (checked against
 * its session: revoked, ended or idle for IMBI_AUTH_SESSION_TIMEOUT_SECONDS) or an `ik_`
 * API key (hashed secret, expiry, revocation, owner active, scopes).
 *
 * Audience (RFC 8707): an access token minted for one resource (`aud`: the API or the MCP
 * endpoint) is accepted only by that resource, so a token for /mcp cannot call the API and
 * vice versa. Tokens without an audience and API keys are accepted everywhere.
 */
import type { Settings } from "../../config/settings.ts";
import type { Database } from "../../infra/postgres.ts";
import { AuthenticationError } from "../../http/errors.ts";
import { secretMatches } from "../../lib/secrets.ts";
import type { TokenCodec } from "./tokens.ts";
import type { Principal } from "./principal.ts";
import { findServiceAccountById, findUserById, loadPermissionsByOrg } from "./principal-repo.ts";
import { findToken, revokeSessions, touchSession, type TokenLookup } from "./sessions-repo.ts";

/** Session activity is written at most this often; idle detection is as precise. */
const TOUCH_INTERVAL_MS = 60_000;

export interface AuthenticateDeps {
  sql: Database;
  auth: Settings["auth"];
  codec: TokenCodec;
}

export function bearerToken(request: Request): string | undefined {
  const header = request.headers.get("authorization");
  const match = header ? /^bearer\s+(\S+)\s*$/i.exec(header) : null;
  return match?.[1];
}

async function ownerPrincipal(
  sql: Database, owner: { userId: string | null; serviceAccountId: string | null },
  rest: Pick<Principal, "authMethod" | "sessionId" | "jti" | "apiKeyId" | "scopes">,
): Promise<Principal> {
  if (owner.userId) {
    const user = await findUserById(sql, owner.userId);
    if (!user) throw new AuthenticationError("User not found");
    if (!user.is_active) throw new AuthenticationError("User account is inactive");
    return { kind: "user", id: user.id, name: user.email, isAdmin: user.is_admin, ...rest, permissionsByOrg: await loadPermissionsByOrg(sql, "user", user.id) };
  }
  const account = await findServiceAccountById(sql, owner.serviceAccountId!);
  if (!account) throw new AuthenticationError("Service account not found");
  if (!account.is_active) throw new AuthenticationError("Service account is inactive");
  return {
    kind: "service_account", id: account.id, name: account.slug, isAdmin: false, ...rest,
    permissionsByOrg: await loadPermissionsByOrg(sql, "service_account", account.id),
  };
}

export function isIdle(session: { last_used_at: Date }, auth: Settings["auth"]): boolean {
  return Date.now() - session.last_used_at.getTime() > auth.session_timeout_seconds * 1000;
}

/** Rejects tokens whose session has ended; ends a session found idle. */
export async function checkSession(deps: AuthenticateDeps, token: TokenLookup): Promise<void> {
  if (token.token_revoked_at || token.revoked_at) throw new AuthenticationError("Token revoked");
  if (token.expires_at.getTime() < Date.now()) throw new AuthenticationError("Session expired");
  if (isIdle(token, deps.auth)) {
    await revokeSessions(deps.sql, [token.session_id], "idle timeout");
    throw new AuthenticationError("Session expired");
  }
}

export interface AuthenticateOptions {
  /** The resource URL being called; a token carrying `aud` must name exactly this. */
  resource?: string;
}

async function fromAccessToken(deps: AuthenticateDeps, token: string, options: AuthenticateOptions): Promise<Principal> {
  const claims = await deps.codec.verify(token, "access");
  if (claims.aud !== undefined && claims.aud !== options.resource) throw new AuthenticationError("Token was issued for another resource");
  const row = await findToken(deps.sql, claims.jti);
  if (!row || row.token_type !== "access") throw new AuthenticationError("Token revoked");
  await checkSession(deps, row);
  if (Date.now() - row.last_used_at.getTime() > TOUCH_INTERVAL_MS) await touchSession(deps.sql, row.session_id);
  return ownerPrincipal(deps.sql, { userId: row.user_id, serviceAccountId: row.service_account_id }, {
    authMethod: claims.auth_method === "client_credentials" ? "client_credentials" : claims.auth_method === "oauth" ? "oauth" : "jwt",
    sessionId: row.session_id,
    jti: claims.jti,
    scopes: claims.scope ? new Set(claims.scope.split(" ").filter(Boolean)) : null,
  });
}

interface ApiKeyRow {
  key_id: string;
  secret_hash: string;
  user_id: string | null;
  service_account_id: string | null;
  scopes: string[];
  expires_at: Date;
  last_used: Date | null;
  revoked: boolean;
}

/** `ik_<32 hex>_<secret>`: the key id is public, the secret is compared as a hash. */
export function splitApiKey(token: string): { keyId: string; secret: string } | undefined {
  const match = /^(ik_[0-9a-f]{32})_([A-Za-z0-9_-]{20,})$/.exec(token);
  return match ? { keyId: match[1]!, secret: match[2]! } : undefined;
}

async function fromApiKey(deps: AuthenticateDeps, token: string): Promise<Principal> {
  const parts = splitApiKey(token);
  if (!parts) throw new AuthenticationError("Invalid API key format");
  const [key] = await deps.sql<ApiKeyRow[]>`
    select key_id, secret_hash, user_id, service_account_id, scopes, expires_at, last_used, revoked
    from api_keys where key_id = ${parts.keyId}`;
  // One message for unknown, revoked and wrong-secret keys: nothing to learn by probing.
  if (!key || key.revoked || !secretMatches(parts.secret, key.secret_hash)) throw new AuthenticationError("Invalid or revoked API key");
  if (key.expires_at.getTime() < Date.now()) throw new AuthenticationError("API key expired");
  if (!key.last_used || Date.now() - key.last_used.getTime() > TOUCH_INTERVAL_MS) {
    await deps.sql`update api_keys set last_used = now() where key_id = ${key.key_id}`;
  }
  return ownerPrincipal(deps.sql, { userId: key.user_id, serviceAccountId: key.service_account_id }, {
    authMethod: "api_key", apiKeyId: key.key_id, scopes: key.scopes.length ? new Set(key.scopes) : null,
  });
}

export async function authenticate(deps: AuthenticateDeps, token: string, options: AuthenticateOptions = {}): Promise<Principal> {
  return token.startsWith("ik_") ? fromApiKey(deps, token) : fromAccessToken(deps, token, options);
}
