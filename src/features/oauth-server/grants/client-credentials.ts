/**
 * grant_type=client_credentials (RFC 6749 §4.4): a service account's client credential buys
 * an access + refresh pair for that account, with the granted scope in the token (and so
 * enforced: principal.ts narrows the account's permissions to it).
 */
import { issueTokens } from "../../auth/issue.ts";
import { unknownPermissions } from "../../api-keys/service.ts";
import { recordClientAuthentication, verifyClientCredential } from "../../service-accounts/credential-service.ts";
import { checkScope, parseScope } from "../checks/scope.ts";
import { invalidClient } from "../errors.ts";
import type { GrantHandler } from "../grant.ts";

const FAILURES = {
  invalid: "Invalid client credentials",
  revoked: "Client credential has been revoked",
  expired: "Client credential has expired",
  inactive: "Service account is inactive",
} as const;

export const clientCredentialsGrant: GrantHandler = async ({ ctx, params, client, meta }) => {
  const { sql } = ctx.infra;
  const basic = client.method === "client_secret_basic";
  if (client.method === "none" || !client.clientId) throw invalidClient("Client authentication is required", basic);
  const verified = await verifyClientCredential(sql, client.clientId, client.clientSecret ?? "");
  if (!verified.ok) throw invalidClient(FAILURES[verified.reason], basic);

  const scopes = await checkScope(parseScope(params.get("scope")), verified.scopes, (names) => unknownPermissions(sql, names));
  const scope = scopes.join(" ");
  const tokens = await issueTokens({ sql, auth: ctx.settings.auth, codec: ctx.codec, events: ctx.events }, {
    owner: { kind: "service_account", id: verified.account.id },
    subject: verified.account.slug,
    authMethod: "client_credentials",
    clientId: verified.clientId,
    claims: scope ? { auth_method: "client_credentials", scope } : { auth_method: "client_credentials" },
    meta,
  });
  await recordClientAuthentication(sql, verified.clientId, verified.account.id);
  ctx.events.emit({
    type: "token.issued", outcome: "success", actor_type: "service_account", actor_id: verified.account.id,
    actor_name: verified.account.slug, ip: meta.ip, user_agent: meta.userAgent, request_id: meta.requestId,
    detail: { grant_type: "client_credentials", client_id: verified.clientId, scope: scope || null },
  });
  return { ...tokens, scope: scope || null };
};
