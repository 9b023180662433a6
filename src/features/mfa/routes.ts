/** /mfa: TOTP status, setup, verify, disable, for the signed-in user. */
import { Elysia, t } from "elysia";
import type { AppContext } from "../../context.ts";
import { AuthenticationError, NotFoundError } from "../../http/errors.ts";
import { requestMeta } from "../../http/request-context.ts";
import { disableMfa, mfaStatus, setupMfa, verifyAndEnable } from "./service.ts";

const Code = t.String({ minLength: 6, maxLength: 64 });

export function mfaRoutes(ctx: AppContext) {
  const deps = { sql: ctx.infra.sql, fernet: ctx.fernet, settings: ctx.settings.auth };
  const emit = (c: { request: Request; principal: { id: string; name: string } }, type: string, outcome: "success" | "failure" = "success") => {
    const meta = requestMeta(c);
    ctx.events.emit({
      type, outcome, actor_type: "user", actor_id: c.principal.id, actor_name: c.principal.name,
      ip: meta.ip, user_agent: meta.userAgent, request_id: meta.requestId,
    });
  };

  return new Elysia({ name: "imbi.mfa", prefix: "/mfa" })
    .use(ctx.auth)
    .get("/status", ({ principal }) => mfaStatus(deps, principal.id), {
      auth: "user",
      response: t.Object({ enabled: t.Boolean(), backup_codes_remaining: t.Integer() }),
      detail: { tags: ["MFA"] },
    })
    .post("/setup", async (c) => {
      const { principal } = c;
      const result = await setupMfa(deps, { id: principal.id, email: principal.name });
      emit(c, "mfa.setup_started");
      return result;
    }, {
      auth: "user",
      response: t.Object({ secret: t.String(), provisioning_uri: t.String(), backup_codes: t.Array(t.String()) }),
      detail: { tags: ["MFA"], summary: "New secret and 10 backup codes (shown once); MFA is on after /mfa/verify" },
    })
    .post("/verify", async (c) => {
      const { principal, body, set } = c;
      const outcome = await verifyAndEnable(deps, principal.id, body.code);
      if (outcome === "not_setup") throw new NotFoundError("MFA not setup for this user");
      if (outcome === "invalid") {
        emit(c, "mfa.verify_failed", "failure");
        throw new AuthenticationError("Invalid MFA code");
      }
      emit(c, "mfa.enabled");
      set.status = 204;
    }, { rateLimit: "mfa_verify", auth: "user", body: t.Object({ code: Code }), detail: { tags: ["MFA"] } })
    .delete("/disable", async (c) => {
      const { principal, body, set } = c;
      const outcome = await disableMfa(deps, principal.id, body?.mfa_code);
      if (outcome === "not_enabled") throw new NotFoundError("MFA not enabled");
      if (outcome === "required") throw new AuthenticationError("MFA code required to disable MFA");
      if (outcome === "invalid") {
        emit(c, "mfa.disable_failed", "failure");
        throw new AuthenticationError("Invalid MFA code");
      }
      emit(c, "mfa.disabled");
      set.status = 204;
    }, {
      auth: "user",
      body: t.Optional(t.Object({ mfa_code: t.Optional(Code), current_password: t.Optional(t.String()) })),
      detail: { tags: ["MFA"], summary: "Turn MFA off; needs a TOTP or backup code" },
    });
}
