/**
 * User rules (reference-auth §13): listing, creation (password policy, admin-only admin
 * creation, membership in an organization where the caller may create users), the caller's
 * own profile, JSON Patch updates with membership reconciliation, deletion.
 */
import type { TSchema, Static } from "@sinclair/typebox";
import { Value } from "@sinclair/typebox/value";
import { ValidationError } from "elysia";
import type { Operation } from "fast-json-patch";
import type { Settings } from "../../config/settings.ts";
import type { Database } from "../../infra/postgres.ts";
import type { EventBus, RequestMeta } from "../../infra/events.ts";
import { ConflictError, InputError, NotAllowedError, NotFoundError, UnprocessableError, toValidationDetails } from "../../http/errors.ts";
import { applyJsonPatch, DEFAULT_READ_ONLY } from "../../http/json-patch.ts";
import { passwordProblems } from "../../lib/password-policy.ts";
import { effectivePermissions, hasPermission, type Principal } from "../auth/principal.ts";
import { revokeSessions, sessionIdsOf } from "../auth/sessions-repo.ts";
import { UserPatchDocument, type OrgMembership, type UserCreate, type UserResponse } from "./model.ts";
import {
  allPermissionNames, deleteUser, findOrganizationIds, findRoleIds, findUser, findUserById, insertUser, listUsers, listUsersWithRole,
  membershipsOf, removeMembership, teamsOf, toUserResponse, updateUser, upsertMembership, withMemberships, type Sql, type UserRecord,
} from "./repo.ts";
import { newId } from "../../lib/ids.ts";
import type { EmailService } from "../email/service.ts";
import { auditActor } from "../audit/actor.ts";

export { UserResponse } from "./model.ts";

export interface UsersDeps {
  sql: Database;
  events: EventBus;
  auth: Settings["auth"];
  /** Welcome and verification mail on creation (features/email); absent = no mail. */
  email?: EmailService;
}

/** Longer passwords only cost hashing time; nobody types more. */
const MAX_PASSWORD_LENGTH = 1024;


/** A patched document that fails its model is a 422 in the D2 shape, located in the body. */
export function checkPatched<S extends TSchema>(schema: S, document: unknown): Static<S> {
  if (!Value.Check(schema, document)) throw new UnprocessableError(toValidationDetails(new ValidationError("body", schema, document)));
  return document as Static<S>;
}

/** Every unmet rule of IMBI_AUTH_PASSWORD_*, reported at once; the password is never echoed. */
export function checkPasswordPolicy(auth: Settings["auth"], password: string, field: "password" | "new_password"): void {
  const problems = passwordProblems(password, auth);
  if ([...password].length > MAX_PASSWORD_LENGTH) problems.push(`Password must be at most ${MAX_PASSWORD_LENGTH} characters`);
  if (problems.length) throw new UnprocessableError(problems.map((msg) => ({ type: "value_error", loc: ["body", field], msg })));
}

export const hashPassword = (password: string) => Bun.password.hash(password, { algorithm: "argon2id" });

export function requireUser(principal: Principal): void {
  if (principal.kind !== "user") throw new NotAllowedError("This endpoint requires user authentication");
}

export const isAdmin = (principal: Principal) => principal.kind === "user" && principal.isAdmin;

export async function findUserOr404(sql: Database, email: string): Promise<UserRecord> {
  const user = await findUser(sql, email);
  if (!user) throw new NotFoundError(`User with email '${email}' not found`);
  return user;
}

export async function listAllUsers(deps: UsersDeps, filter: { is_active?: boolean; is_admin?: boolean }): Promise<UserResponse[]> {
  return withMemberships(deps.sql, await listUsers(deps.sql, filter));
}

/** Users holding `roleId` in some organization (GET /roles/{slug}/users). */
export async function usersWithRole(sql: Database, roleId: string): Promise<UserResponse[]> {
  return withMemberships(sql, await listUsersWithRole(sql, roleId));
}

export async function getUser(deps: UsersDeps, email: string): Promise<UserResponse> {
  const [response] = await withMemberships(deps.sql, [await findUserOr404(deps.sql, email)]);
  return response!;
}

/** Pydantic's EmailStr lowercases the domain part; the local part is kept as given. */
export const normalizeEmail = (email: string) => email.replace(/@([^@]+)$/, (_, domain: string) => `@${domain.toLowerCase()}`);

/** `linkOrigin`: where the links in the welcome/verification mail point (EmailService.linkOrigin). */
export async function createUser(
  deps: UsersDeps, principal: Principal, body: UserCreate, meta: RequestMeta, linkOrigin?: string,
): Promise<UserResponse> {
  const wantsAdmin = body.is_admin ?? false;
  const serviceAccount = body.is_service_account ?? false;
  const hasPassword = body.password !== undefined && body.password !== null;
  if (wantsAdmin && !isAdmin(principal)) throw new NotAllowedError("Only admins can create admin users");
  if (serviceAccount && hasPassword) throw new InputError("Service accounts cannot have passwords");
  if (serviceAccount && wantsAdmin) throw new InputError("Service accounts cannot be admins");
  // D2: the new user joins this organization, so the caller must be allowed to create users there.
  if (!hasPermission(principal, "user:create", body.organization_slug)) throw new NotAllowedError("Permission denied: user:create required");
  if (hasPassword) checkPasswordPolicy(deps.auth, body.password!, "password");

  const email = normalizeEmail(body.email);
  if (await findUser(deps.sql, email)) throw new ConflictError(`User with email '${email}' already exists`);
  const organizationId = (await findOrganizationIds(deps.sql, [body.organization_slug])).get(body.organization_slug);
  if (!organizationId) throw new NotFoundError(`Organization '${body.organization_slug}' not found`);
  const roleId = (await findRoleIds(deps.sql, [body.role_slug])).get(body.role_slug);
  if (!roleId) throw new NotFoundError(`Role '${body.role_slug}' not found`);

  const passwordHash = hasPassword ? await hashPassword(body.password!) : null;
  const row = await deps.sql.begin(async (tx) => {
    const inserted = await insertUser(tx, {
      id: newId(), email, display_name: body.display_name, password_hash: passwordHash,
      is_active: body.is_active ?? true, is_admin: wantsAdmin, is_service_account: serviceAccount,
      email_notifications: body.email_notifications ?? true,
    });
    await upsertMembership(tx, inserted.id, organizationId, roleId);
    await deps.email?.userCreated(tx, { ...inserted, hasPassword: hasPassword, isServiceAccount: serviceAccount }, linkOrigin, meta.requestId);
    return inserted;
  }).catch((error: { code?: string }) => {
    if (error.code === "23505") throw new ConflictError(`User with email '${email}' already exists`);
    throw error;
  });
  deps.events.emit({
    type: "user.created", outcome: "success", ...auditActor(principal, meta),
    detail: { email, is_admin: wantsAdmin, organization: body.organization_slug, role: body.role_slug },
  });
  deps.email?.committed();
  return toUserResponse(row, (await membershipsOf(deps.sql, [row.id])).get(row.id));
}

/** The caller's profile: memberships, effective permissions (all of them for is_admin), teams. */
export async function currentUser(deps: UsersDeps, principal: Principal) {
  const row = await findUserById(deps.sql, principal.id);
  if (!row) throw new NotFoundError(`User with email '${principal.name}' not found`);
  const granted = isAdmin(principal)
    ? (await allPermissionNames(deps.sql)).filter((p) => !principal.scopes || principal.scopes.has(p))
    : [...effectivePermissions(principal)].sort();
  const [response] = await withMemberships(deps.sql, [row]);
  return { ...response!, permissions: granted, teams: [...(await teamsOf(deps.sql, row.id))] };
}

interface MembershipPlan {
  upserts: { organizationId: string; roleId: string }[];
  removals: string[];
}

/**
 * The membership changes that turn `existing` into `desired`: every organization and role must
 * exist, and the caller must hold user:update in each organization whose membership changes (D2).
 */
async function planMemberships(
  sql: Database, principal: Principal, existing: OrgMembership[], desired: { organization_slug: string; role: string }[],
): Promise<MembershipPlan> {
  const seen = new Set<string>();
  for (const { organization_slug } of desired) {
    if (seen.has(organization_slug)) throw new InputError(`Duplicate membership for organization '${organization_slug}'`);
    seen.add(organization_slug);
  }
  const before = new Map(existing.map((m) => [m.organization_slug, m.role]));
  const changed = desired.filter((m) => before.get(m.organization_slug) !== m.role);
  const removed = existing.filter((m) => !seen.has(m.organization_slug)).map((m) => m.organization_slug);
  const orgIds = await findOrganizationIds(sql, [...changed.map((m) => m.organization_slug), ...removed]);
  const unknownOrgs = changed.map((m) => m.organization_slug).filter((slug) => !orgIds.has(slug));
  if (unknownOrgs.length) throw new InputError(`Unknown organization(s): ${unknownOrgs.sort().join(", ")}`);
  const roleIds = await findRoleIds(sql, changed.map((m) => m.role));
  const unknownRoles = [...new Set(changed.map((m) => m.role).filter((slug) => !roleIds.has(slug)))];
  if (unknownRoles.length) throw new InputError(`Unknown role(s): ${unknownRoles.sort().join(", ")}`);
  for (const slug of [...changed.map((m) => m.organization_slug), ...removed]) {
    if (!hasPermission(principal, "user:update", slug)) throw new NotAllowedError("Permission denied: user:update required");
  }
  return {
    upserts: changed.map((m) => ({ organizationId: orgIds.get(m.organization_slug)!, roleId: roleIds.get(m.role)! })),
    removals: removed.map((slug) => orgIds.get(slug)!),
  };
}

async function applyMembershipPlan(sql: Sql, userId: string, plan: MembershipPlan): Promise<void> {
  for (const { organizationId, roleId } of plan.upserts) await upsertMembership(sql, userId, organizationId, roleId);
  for (const organizationId of plan.removals) await removeMembership(sql, userId, organizationId);
}

export async function patchUser(
  deps: UsersDeps, principal: Principal, email: string, operations: Operation[], meta: RequestMeta,
): Promise<UserResponse> {
  requireUser(principal);
  const target = await findUserOr404(deps.sql, email);
  if (target.is_admin && !isAdmin(principal)) throw new NotAllowedError("Only admins can modify admin users");
  const existing = (await membershipsOf(deps.sql, [target.id])).get(target.id) ?? [];
  const current: UserPatchDocument = {
    email: target.email, display_name: target.display_name, is_active: target.is_active, is_admin: target.is_admin,
    is_service_account: target.is_service_account, email_notifications: target.email_notifications,
    organizations: existing.map((m) => ({ organization_slug: m.organization_slug, role: m.role })),
  };
  const patched = checkPatched(UserPatchDocument, applyJsonPatch(current, operations, [...DEFAULT_READ_ONLY, "/email"]));
  if (patched.is_admin && !isAdmin(principal)) throw new NotAllowedError("Only admins can grant admin privileges");
  if (target.id === principal.id && !patched.is_active) throw new InputError("Cannot deactivate your own account");
  if (patched.is_service_account && patched.is_admin) throw new InputError("Service accounts cannot be admins");
  const plan = await planMemberships(deps.sql, principal, existing, patched.organizations);

  const fields = {
    display_name: patched.display_name, is_active: patched.is_active, is_admin: patched.is_admin,
    is_service_account: patched.is_service_account, email_notifications: patched.email_notifications,
    ...(patched.is_service_account && !target.is_service_account ? { password_hash: null } : {}),
  };
  await deps.sql.begin(async (tx) => {
    await updateUser(tx, target.id, fields);
    await applyMembershipPlan(tx, target.id, plan);
  });
  const actor = auditActor(principal, meta);
  if (target.is_active && !patched.is_active) {
    await revokeSessions(deps.sql, await sessionIdsOf(deps.sql, { kind: "user", id: target.id }), "user deactivated");
    deps.events.emit({ type: "user.deactivated", outcome: "success", ...actor, detail: { email: target.email } });
  }
  deps.events.emit({
    type: "user.updated", outcome: "success", ...actor,
    detail: { email: target.email, paths: operations.map((o) => o.path) },
  });
  return getUser(deps, target.email);
}

export async function removeUser(deps: UsersDeps, principal: Principal, email: string, meta: RequestMeta): Promise<void> {
  requireUser(principal);
  const target = await findUserOr404(deps.sql, email);
  if (target.id === principal.id) throw new InputError("Cannot delete your own account");
  if (target.is_admin && !isAdmin(principal)) throw new NotAllowedError("Only admins can delete admin users");
  // Memberships, sessions, tokens, API keys and MFA secrets go with the user (ON DELETE CASCADE).
  await deleteUser(deps.sql, target.id);
  deps.events.emit({ type: "user.deleted", outcome: "success", ...auditActor(principal, meta), detail: { email: target.email } });
}
