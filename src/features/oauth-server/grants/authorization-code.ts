/**
 * grant_type=authorization_code (RFC 6749 §4.1.3 with PKCE, RFC 7636): a public client
 * trades a code from /auth/authorize, its redirect URI and the PKCE verifier for an access
 * + refresh pair of the user who approved it, bound to the client (`client_id`, the
 * session's oauth_client_id) and to the resource named at /authorize (`aud`). The code is
 * consumed by the first attempt, whatever its outcome; presenting it again revokes the
 * session it started (codes.ts).
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { issueTokens } from "../../auth/issue.ts";
import { findUserById } from "../../auth/principal-repo.ts";
import { findToken, revokeSessions } from "../../auth/sessions-repo.ts";
import { recordCodeSession, redeemCode } from "../codes.ts";
import { invalidGrant, invalidRequest, invalidTarget } from "../errors.ts";
import type { GrantHandler } from "../grant.ts";
import { publicClientId } from "../public-client.ts";
import { bindSessionToClient } from "../sessions.ts";

/** RFC 7636 §4.1: 43–128 characters of the unreserved set. */
const VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/;

function challengeMatches(verifier: string, challenge: string): boolean {
  const actual = Buffer.from(createHash("sha256").update(verifier, "ascii").digest("base64url"));
  const expected = Buffer.from(challenge);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

export const authorizationCodeGrant: GrantHandler = async ({ ctx, params, client, meta }) => {
  const { sql } = ctx.infra;
  const clientId = publicClientId(client);
  const code = params.get("code");
  const redirectUri = params.get("redirect_uri");
  const verifier = params.get("code_verifier");
  if (!code) throw invalidRequest("Missing code parameter");
  if (!redirectUri) throw invalidRequest("Missing redirect_uri parameter");
  if (!verifier) throw invalidRequest("Missing code_verifier parameter");
  if (!VERIFIER.test(verifier)) throw invalidRequest("code_verifier must be 43-128 unreserved characters");

  const redemption = await redeemCode(ctx, code);
  if (redemption.kind === "replayed") {
    if (redemption.sessionId) await revokeSessions(sql, [redemption.sessionId], "authorization code replayed");
    ctx.events.emit({
      type: "authorization_code.replayed", outcome: "failure", actor_type: "anonymous", actor_name: clientId.slice(0, 128),
      ip: meta.ip, user_agent: meta.userAgent, request_id: meta.requestId, detail: { session_id: redemption.sessionId ?? null },
    });
    throw invalidGrant("Authorization code has already been used");
  }
  if (redemption.kind === "invalid") throw invalidGrant("Invalid or expired authorization code");
  const { grant } = redemption;
  if (grant.client_id !== clientId) throw invalidGrant("Authorization code was issued to another client");
  if (grant.redirect_uri !== redirectUri) throw invalidGrant("redirect_uri does not match the authorization request");
  if (!challengeMatches(verifier, grant.code_challenge)) throw invalidGrant("PKCE verification failed");
  const resource = params.get("resource");
  if (resource !== undefined && resource !== grant.resource) throw invalidTarget("resource does not match the authorization request");
  const user = await findUserById(sql, grant.user_id);
  if (!user || !user.is_active) throw invalidGrant("User not found or inactive");

  const tokens = await issueTokens({ sql, auth: ctx.settings.auth, codec: ctx.codec, events: ctx.events }, {
    owner: { kind: "user", id: user.id }, subject: user.email, authMethod: "oauth", meta,
    claims: { auth_method: "oauth", aud: grant.resource, client_id: clientId },
  });
  const { jti } = await ctx.codec.verify(tokens.refresh_token, "refresh");
  const sessionId = (await findToken(sql, jti))!.session_id;
  await bindSessionToClient(sql, sessionId, clientId);
  if (!(await recordCodeSession(ctx, code, sessionId))) {
    // The code was presented again while we were issuing: nothing it started may survive.
    await revokeSessions(sql, [sessionId], "authorization code replayed");
    throw invalidGrant("Authorization code has already been used");
  }
  ctx.events.emit({
    type: "token.issued", outcome: "success", actor_type: "user", actor_id: user.id, actor_name: user.email,
    ip: meta.ip, user_agent: meta.userAgent, request_id: meta.requestId,
    detail: { grant_type: "authorization_code", client_id: clientId, scope: grant.scope, resource: grant.resource },
  });
  return { ...tokens, scope: grant.scope };
};
