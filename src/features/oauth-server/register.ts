/**
 * POST {prefix}/auth/register: RFC 7591 dynamic client registration, for public clients
 * only, when IMBI_AUTH_DCR_ENABLED. Metadata errors are RFC 7591 §3.2.2 bodies
 * (`invalid_redirect_uri` / `invalid_client_metadata`), which registering clients parse;
 * registration switched off is the reference's 403 {"detail"}.
 */
import { Elysia, t } from "elysia";
import { nanoid } from "nanoid";
import type { AppContext } from "../../context.ts";
import { NotAllowedError } from "../../http/errors.ts";
import { requestMeta } from "../../http/request-context.ts";
import { ClientMetadataError, validateClientMetadata } from "./client-metadata.ts";
import { insertClient } from "./clients-repo.ts";

const MAX_BODY_CHARS = 64 * 1024;

const RegistrationBody = t.Object({
  client_id: t.String(),
  client_id_issued_at: t.Integer(),
  client_name: t.Optional(t.String()),
  redirect_uris: t.Array(t.String()),
  grant_types: t.Array(t.String()),
  response_types: t.Array(t.String()),
  token_endpoint_auth_method: t.String(),
  scope: t.Optional(t.String()),
});
const RegistrationError = t.Object({ error: t.String(), error_description: t.String() });
const Detail = t.Object({ detail: t.String() });

function parseJson(contentType: string | null, text: string): unknown {
  if (contentType?.split(";")[0]?.trim().toLowerCase() !== "application/json") {
    throw new ClientMetadataError("invalid_client_metadata", "The request body must be application/json");
  }
  if (text.length > MAX_BODY_CHARS) throw new ClientMetadataError("invalid_client_metadata", "The request body is too large");
  try {
    return JSON.parse(text);
  } catch {
    throw new ClientMetadataError("invalid_client_metadata", "The request body is not valid JSON");
  }
}

export function oauthRegisterRoutes(ctx: AppContext) {
  return new Elysia({ name: "imbi.oauth-register", prefix: "/auth" })
    .use(ctx.auth)
    .post("/register", async (c) => {
      c.set.headers["cache-control"] = "no-store";
      if (!ctx.settings.auth.dcr_enabled) throw new NotAllowedError("Dynamic client registration is disabled");
      const meta = requestMeta(c);
      try {
        const metadata = validateClientMetadata(parseJson(c.request.headers.get("content-type"), await c.request.text()));
        const row = await insertClient(ctx.infra.sql, { client_id: `mcp_${nanoid()}`, ...metadata });
        ctx.events.emit({
          type: "oauth_client.registered", outcome: "success", actor_type: "anonymous", actor_name: row.client_name ?? undefined,
          ip: meta.ip, user_agent: meta.userAgent, request_id: meta.requestId,
          detail: { client_id: row.client_id, redirect_uris: row.redirect_uris },
        });
        c.set.status = 201;
        return {
          client_id: row.client_id,
          client_id_issued_at: Math.floor(row.created_at.getTime() / 1000),
          // Absent rather than null: clients validate these as optional strings.
          ...(row.client_name !== null ? { client_name: row.client_name } : {}),
          redirect_uris: row.redirect_uris,
          grant_types: row.grant_types,
          response_types: row.response_types,
          token_endpoint_auth_method: row.token_endpoint_auth_method,
          ...(row.scope !== null ? { scope: row.scope } : {}),
        };
      } catch (error) {
        if (!(error instanceof ClientMetadataError)) throw error;
        c.set.status = 400;
        return { error: error.code, error_description: error.message };
      }
    }, {
      parse: "none",
      rateLimit: "oauth_register",
      response: { 201: RegistrationBody, 400: RegistrationError, 403: Detail },
      detail: { tags: ["Auth"], summary: "OAuth 2.0 dynamic client registration (RFC 7591; public clients)" },
    });
}
