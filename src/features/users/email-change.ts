/**
 * PUT /users/{email}/email: changing a user's address. The reference keeps `email` read-only
 * in PATCH, so the change has its own route, with the rules of a password change: yourself
 * (proving your current password when you have one, so a stolen session cannot take over the
 * account's mail) or, with `user:update`, someone else (admins only for admins). The new
 * address is unverified until its emailed link is followed; the old address is told.
 */
import type { RequestMeta } from "../../infra/events.ts";
import { ConflictError, HttpError, InputError, NotAllowedError } from "../../http/errors.ts";
import { hasPermission, type Principal } from "../auth/principal.ts";
import { findUser, type Sql } from "./repo.ts";
import { findUserOr404, getUser, isAdmin, normalizeEmail, type UsersDeps } from "./service.ts";
import type { UserResponse } from "./model.ts";
import { auditActor } from "../audit/actor.ts";

export interface EmailChange {
  email: string;
  current_password?: string | null;
}

export async function changeEmail(
  deps: UsersDeps, principal: Principal, email: string, body: EmailChange, meta: RequestMeta, linkOrigin?: string,
): Promise<UserResponse> {
  const claimsSelf = principal.name.toLowerCase() === email.toLowerCase();
  if (!claimsSelf && !hasPermission(principal, "user:update")) throw new NotAllowedError("Cannot change another user's email address");
  const target = await findUserOr404(deps.sql, email);
  const isSelf = target.id === principal.id;
  if (!isSelf && target.is_admin && !isAdmin(principal)) throw new NotAllowedError("Only admins can modify admin users");
  const next = normalizeEmail(body.email);
  if (next.toLowerCase() === target.email.toLowerCase()) throw new InputError("The new email address is the current one");

  const actor = auditActor(principal, meta);
  if (isSelf && target.password_hash !== null) {
    if (!body.current_password) throw new InputError("Current password is required");
    if (!(await Bun.password.verify(body.current_password, target.password_hash).catch(() => false))) {
      deps.events.emit({ type: "user.email_change_failed", outcome: "failure", ...actor, detail: { email: target.email, reason: "current_password" } });
      throw new HttpError(401, "Current password is incorrect");
    }
  }
  const taken = () => new ConflictError(`User with email '${next}' already exists`);
  if (await findUser(deps.sql, next)) throw taken();

  await deps.sql.begin(async (tx) => {
    await tx`update users set email = ${next}, email_verified = false, updated_at = now() where id = ${target.id}`;
    if (!target.is_service_account) {
      await deps.email?.emailChanged(tx as unknown as Sql, { id: target.id, email: next, display_name: target.display_name }, target.email, linkOrigin, meta);
    }
  }).catch((error: { code?: string }) => {
    if (error.code === "23505") throw taken();
    throw error;
  });
  deps.email?.committed();
  deps.events.emit({ type: "user.email_changed", outcome: "success", ...actor, detail: { email: target.email, new_email: next, by_self: isSelf } });
  return getUser(deps, next);
}
