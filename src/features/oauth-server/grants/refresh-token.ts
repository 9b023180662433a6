/**
 * grant_type=refresh_token (RFC 6749 §6) for OAuth clients: rotation with reuse detection,
 * on the same session machinery as the SPA's /auth/token/refresh. The refresh token must
 * have been issued to the calling client (claim and session both say so); a used one
 * presented again revokes the whole family. The new pair keeps the client and audience.
 * Refresh tokens of password logins and client credentials are not accepted here: they
 * belong to no OAuth client.
 */
import { checkSession } from "../../auth/authenticate.ts";
import { issueTokens } from "../../auth/issue.ts";
import { findUserById } from "../../auth/principal-repo.ts";
import { consumeRefreshToken, findToken, revokeSessions } from "../../auth/sessions-repo.ts";
import { AuthenticationError } from "../../../http/errors.ts";
import { invalidGrant, invalidRequest, invalidScope } from "../errors.ts";
import type { GrantHandler } from "../grant.ts";
import { SCOPES_SUPPORTED } from "../metadata.ts";
import { publicClientId } from "../public-client.ts";
import { sessionClient } from "../sessions.ts";

export const refreshTokenGrant: GrantHandler = async ({ ctx, params, client, meta }) => {
  const { sql } = ctx.infra;
  const clientId = publicClientId(client);
  const token = params.get("refresh_token");
  if (!token) throw invalidRequest("Missing refresh_token parameter");
  const requested = (params.get("scope") ?? "").split(" ").filter(Boolean);
  if (requested.some((s) => !SCOPES_SUPPORTED.includes(s))) throw invalidScope("The requested scope exceeds the original grant");

  let claims;
  try {
    claims = await ctx.codec.verify(token, "refresh");
  } catch (error) {
    if (error instanceof AuthenticationError) throw invalidGrant("Invalid or expired refresh token");
    throw error;
  }
  if (claims.client_id !== clientId || claims.aud === undefined) throw invalidGrant("Refresh token was not issued to this client");
  const row = await findToken(sql, claims.jti);
  if (!row || row.token_type !== "refresh" || (await sessionClient(sql, row.session_id)) !== clientId) {
    throw invalidGrant("Refresh token was not issued to this client");
  }
  if (!(await consumeRefreshToken(sql, claims.jti))) {
    // A rotated refresh token came back: someone holds a copy. End the whole family.
    await revokeSessions(sql, [row.session_id], "refresh token reused");
    ctx.events.emit({
      type: "refresh_token.reused", outcome: "failure", actor_type: "user", actor_id: row.user_id ?? undefined, actor_name: claims.sub,
      ip: meta.ip, user_agent: meta.userAgent, request_id: meta.requestId, detail: { session_id: row.session_id, client_id: clientId },
    });
    throw invalidGrant("Refresh token has been revoked");
  }
  try {
    await checkSession({ sql, auth: ctx.settings.auth, codec: ctx.codec }, { ...row, token_revoked_at: null });
  } catch (error) {
    if (error instanceof AuthenticationError) throw invalidGrant("Session has ended");
    throw error;
  }
  const user = row.user_id ? await findUserById(sql, row.user_id) : undefined;
  if (!user || !user.is_active) throw invalidGrant("User not found or inactive");

  const tokens = await issueTokens({ sql, auth: ctx.settings.auth, codec: ctx.codec, events: ctx.events }, {
    owner: { kind: "user", id: user.id }, subject: user.email, authMethod: row.auth_method, sessionId: row.session_id, meta,
    claims: { auth_method: "oauth", aud: claims.aud, client_id: clientId },
  });
  ctx.events.emit({
    type: "token.refreshed", outcome: "success", actor_type: "user", actor_id: user.id, actor_name: user.email,
    ip: meta.ip, user_agent: meta.userAgent, request_id: meta.requestId, detail: { client_id: clientId },
  });
  return { ...tokens, scope: SCOPES_SUPPORTED.join(" ") };
};
