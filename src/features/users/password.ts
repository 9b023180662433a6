/**
 * POST /users/{email}/password (reference-auth §6.3, with D3's policy): a user changes their
 * own password with the current one; a holder of user:update (or an admin) sets another
 * user's. Only admins set an admin's password. Either way the user's other sessions end.
 */
import type { RequestMeta } from "../../infra/events.ts";
import { HttpError, InputError, NotAllowedError } from "../../http/errors.ts";
import { hasPermission, type Principal } from "../auth/principal.ts";
import { revokeSessions, sessionIdsOf } from "../auth/sessions-repo.ts";
import { updateUser } from "./repo.ts";
import { checkPasswordPolicy, findUserOr404, hashPassword, type UsersDeps } from "./service.ts";
import { auditActor } from "../audit/actor.ts";

export async function changePassword(
  deps: UsersDeps, principal: Principal, email: string,
  body: { current_password?: string | null; new_password: string }, meta: RequestMeta,
): Promise<void> {
  const claimsSelf = principal.name.toLowerCase() === email.toLowerCase();
  if (!claimsSelf && !hasPermission(principal, "user:update")) throw new NotAllowedError("Cannot change another user's password");
  const target = await findUserOr404(deps.sql, email);
  const isSelf = target.id === principal.id;
  if (!isSelf && target.is_admin && !principal.isAdmin) throw new NotAllowedError("Only admins can change an admin's password");
  if (target.is_service_account) throw new InputError("Service accounts cannot have passwords");
  checkPasswordPolicy(deps.auth, body.new_password, "new_password");
  const actor = auditActor(principal, meta);
  if (isSelf) {
    if (!body.current_password) throw new InputError("Current password is required");
    const valid = target.password_hash !== null
      && (await Bun.password.verify(body.current_password, target.password_hash).catch(() => false));
    if (!valid) {
      deps.events.emit({ type: "user.password_change_failed", outcome: "failure", ...actor, detail: { email: target.email, reason: "current_password" } });
      throw new HttpError(401, "Current password is incorrect");
    }
  }
  await updateUser(deps.sql, target.id, { password_hash: await hashPassword(body.new_password) });
  // Whoever knew the old password may hold a session: end them all, but not the one making the change.
  const keep = isSelf ? principal.sessionId : undefined;
  const ended = (await sessionIdsOf(deps.sql, { kind: "user", id: target.id })).filter((id) => id !== keep);
  await revokeSessions(deps.sql, ended, "password changed");
  deps.events.emit({
    type: "user.password_changed", outcome: "success", ...actor,
    detail: { email: target.email, by_self: isSelf, sessions_ended: ended.length },
  });
}
