/**
 * /auth/forgot-password, /auth/reset-password and /auth/verify-email: JSON for API clients,
 * and (reset, verify) the HTML pages the emailed links open (pages.ts). A form POST answers
 * with a page, a JSON POST with JSON.
 */
import { Elysia, t } from "elysia";
import type { AppContext } from "../../context.ts";
import { requestMeta } from "../../http/request-context.ts";
import { HttpError, UnprocessableError } from "../../http/errors.ts";
import { checkPasswordPolicy, hashPassword } from "../users/service.ts";
import { INVALID_TOKEN, RESET_PAGE, VERIFY_PAGE } from "./service.ts";
import { trustedOrigins } from "../../http/urls.ts";
import { done, invalidLink, resetForm, verifyForm } from "./pages.ts";

const tags = ["Auth"];
const ErrorBody = t.Object({ detail: t.Unknown() });
const Detail = t.Object({ detail: t.String() });
const Token = t.String({ minLength: 1, maxLength: 200 });

export const FORGOT_PASSWORD_ANSWER = "If an account exists for that address, a password reset link has been sent to it.";

const isForm = (request: Request) => {
  const type = request.headers.get("content-type") ?? "";
  return type.startsWith("application/x-www-form-urlencoded") || type.startsWith("multipart/form-data");
};

export function emailRoutes(ctx: AppContext) {
  const email = ctx.email;
  const trusted = trustedOrigins(ctx.settings.server);

  /** A browser form post from another site is refused (the token already makes it useless). */
  function checkOrigin(c: { request: Request }): void {
    const origin = c.request.headers.get("origin");
    if (!origin || origin === "null") return;
    if (origin.toLowerCase() === email.linkOrigin(c) || trusted.has(origin.toLowerCase())) return;
    const client = (c as unknown as { client?: { scheme: string; host: string } }).client;
    if (client && origin.toLowerCase() === `${client.scheme}://${client.host}`.toLowerCase()) return;
    throw new HttpError(403, "Cross-origin form submission refused");
  }

  return new Elysia({ name: "imbi.email-routes", prefix: "/auth" })
    .use(ctx.auth)
    .post("/forgot-password", (c) => {
      email.forgotPassword(c.body.email.trim(), email.linkOrigin(c), requestMeta(c));
      c.set.status = 202;
      return { detail: FORGOT_PASSWORD_ANSWER };
    }, {
      rateLimit: "forgot_password",
      body: t.Object({ email: t.String({ minLength: 1, maxLength: 320 }) }),
      response: { 202: Detail, 422: ErrorBody, 429: ErrorBody },
      detail: { tags, summary: "Mail a password-reset link (202 whether or not the account exists)" },
    })
    .get("/reset-password", async ({ query }) => {
      const token = query.token ?? "";
      return (await email.tokenUsable("reset", token)) ? resetForm(`${ctx.prefix}${RESET_PAGE}`, token) : invalidLink();
    }, {
      query: t.Object({ token: t.Optional(t.String()) }),
      detail: { tags, summary: "The page of the emailed reset / set-password link (HTML)" },
    })
    .post("/reset-password", async (c) => {
      const form = isForm(c.request);
      if (form) checkOrigin(c);
      const { token, new_password } = c.body;
      const action = `${ctx.prefix}${RESET_PAGE}`;
      if (!(await email.tokenUsable("reset", token))) {
        if (form) return invalidLink();
        throw new HttpError(400, INVALID_TOKEN);
      }
      if (form && c.body.confirm_password !== undefined && c.body.confirm_password !== new_password) {
        return resetForm(action, token, ["The two passwords differ."], 422);
      }
      try {
        checkPasswordPolicy(ctx.settings.auth, new_password, "new_password");
      } catch (error) {
        if (form && error instanceof UnprocessableError) {
          return resetForm(action, token, (error.detail as { msg: string }[]).map((d) => d.msg), 422);
        }
        throw error;
      }
      try {
        await email.resetPassword(token, await hashPassword(new_password), requestMeta(c));
      } catch (error) {
        if (form && error instanceof HttpError && error.status === 400) return invalidLink();
        throw error;
      }
      if (form) return done("Password changed", "Your password has been set. You can now sign in with it.");
      return { detail: "Password has been reset" };
    }, {
      body: t.Object({ token: Token, new_password: t.String({ maxLength: 4096 }), confirm_password: t.Optional(t.String()) }),
      detail: { tags, summary: "Set a new password with a reset token (ends every session of the user)" },
    })
    .get("/verify-email", async ({ query }) => {
      const token = query.token ?? "";
      return (await email.tokenUsable("verify", token)) ? verifyForm(`${ctx.prefix}${VERIFY_PAGE}`, token) : invalidLink();
    }, {
      query: t.Object({ token: t.Optional(t.String()) }),
      detail: { tags, summary: "The page of the emailed verification link (HTML)" },
    })
    .post("/verify-email", async (c) => {
      const form = isForm(c.request);
      if (form) checkOrigin(c);
      try {
        await email.verifyEmail(c.body.token, requestMeta(c));
      } catch (error) {
        if (form && error instanceof HttpError && error.status === 400) return invalidLink();
        throw error;
      }
      if (form) return done("Email address verified", "Thank you: your email address is verified.");
      return { detail: "Email verified" };
    }, {
      body: t.Object({ token: Token }),
      detail: { tags, summary: "Mark the user's email address verified with a verification token" },
    });
}
