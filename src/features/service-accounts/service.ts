/**
 * Service accounts and their organization memberships: create (with a first membership),
 * read, JSON Patch, delete (keys and credentials go with it), membership upsert / role
 * change / removal. Writes are checked per organization (access.ts) and emitted as events.
 */
import { ValidationError } from "elysia";
import { Value } from "@sinclair/typebox/value";
import type { Operation } from "fast-json-patch";
import type { Database } from "../../infra/postgres.ts";
import type { EventBus } from "../../infra/events.ts";
import { ConflictError, NotFoundError, toValidationDetails, UnprocessableError } from "../../http/errors.ts";
import { applyJsonPatch, DEFAULT_READ_ONLY } from "../../http/json-patch.ts";
import { newId } from "../../lib/ids.ts";
import type { Principal } from "../auth/principal.ts";
import { mayActOnAccount, requireInOrganization, requireOverAccount } from "./access.ts";
import {
  MembershipPatchResult, ServiceAccountPatchResult,
  type ServiceAccount, type ServiceAccountCreateInput,
} from "./model.ts";
import * as repo from "./repo.ts";
import type { RequestMeta } from "../../infra/events.ts";
import { auditActor } from "../audit/actor.ts";

export interface AccountDeps {
  sql: Database;
  events: EventBus;
}

const READ_ONLY = [...DEFAULT_READ_ONLY, "/slug", "/organizations", "/last_authenticated"];

function emit(deps: AccountDeps, type: string, actor: Principal, meta: RequestMeta, account: { id: string; slug: string }, extra: Record<string, unknown> = {}) {
  deps.events.emit({
    type, outcome: "success", ...auditActor(actor, meta),
    detail: { service_account_id: account.id, service_account: account.slug, ...extra },
  });
}

function validated<T>(schema: Parameters<typeof Value.Check>[0], value: unknown): T {
  if (!Value.Check(schema, value)) throw new UnprocessableError(toValidationDetails(new ValidationError("body", schema as never, value)));
  return value as T;
}

/**
 * The account with its memberships, if `reader` may see it (service_account:read in one of
 * its organizations); otherwise 404, in the wording the route family uses.
 */
export async function loadAccount(sql: Database, reader: Principal, slug: string, notFound = `Service account '${slug}' not found`) {
  const row = await repo.findAccount(sql, slug);
  const memberships = row ? await repo.membershipsOf(sql, [row.id]) : [];
  if (!row || !mayActOnAccount(reader, "service_account:read", memberships)) throw new NotFoundError(notFound);
  return { row, memberships };
}

export async function createAccount(deps: AccountDeps, actor: Principal, input: ServiceAccountCreateInput, meta: RequestMeta): Promise<ServiceAccount> {
  requireInOrganization(deps.events, actor, meta, "service_account:create", input.organization_slug);
  const id = newId();
  const outcome = await repo.insertAccount(deps.sql, {
    id, slug: input.slug, display_name: input.display_name, description: input.description ?? null,
    is_active: input.is_active ?? true, avatar_url: input.avatar_url ?? null,
  }, { organizationSlug: input.organization_slug, roleSlug: input.role_slug });
  if (outcome === "conflict") throw new ConflictError(`Service account with slug '${input.slug}' already exists`);
  if (outcome === "not_found") throw new NotFoundError(`Organization '${input.organization_slug}' or role '${input.role_slug}' not found`);
  emit(deps, "service_account.created", actor, meta, { id, slug: input.slug }, { organization: input.organization_slug, role: input.role_slug });
  const row = (await repo.findAccount(deps.sql, input.slug))!;
  return repo.toAccountJson(row, await repo.membershipsOf(deps.sql, [row.id]));
}

/** The accounts `reader` may see, ordered by slug. */
export async function listAccounts(deps: AccountDeps, reader: Principal, isActive?: boolean): Promise<ServiceAccount[]> {
  const rows = await repo.listAccounts(deps.sql, isActive);
  const memberships = await repo.membershipsOf(deps.sql, rows.map((r) => r.id));
  return rows
    .map((row) => ({ row, memberships: memberships.filter((m) => m.service_account_id === row.id) }))
    .filter((a) => mayActOnAccount(reader, "service_account:read", a.memberships))
    .map((a) => repo.toAccountJson(a.row, a.memberships));
}

export async function getAccount(deps: AccountDeps, reader: Principal, slug: string): Promise<ServiceAccount> {
  const { row, memberships } = await loadAccount(deps.sql, reader, slug);
  return repo.toAccountJson(row, memberships);
}

export async function patchAccount(deps: AccountDeps, actor: Principal, slug: string, operations: Operation[], meta: RequestMeta): Promise<ServiceAccount> {
  const { row, memberships } = await loadAccount(deps.sql, actor, slug);
  requireOverAccount(deps.events, actor, meta, "service_account:update", memberships);
  const current = { slug: row.slug, display_name: row.display_name, description: row.description, is_active: row.is_active, avatar_url: row.avatar_url };
  const patched = validated<typeof current>(ServiceAccountPatchResult, applyJsonPatch(current, operations, READ_ONLY));
  const updated = await repo.updateAccount(deps.sql, row.id, patched);
  const changed = (Object.keys(current) as (keyof typeof current)[]).filter((k) => current[k] !== patched[k]);
  emit(deps, "service_account.updated", actor, meta, row, { fields: changed });
  return repo.toAccountJson(updated, memberships);
}

export async function deleteAccount(deps: AccountDeps, actor: Principal, slug: string, meta: RequestMeta): Promise<void> {
  const { row, memberships } = await loadAccount(deps.sql, actor, slug);
  requireOverAccount(deps.events, actor, meta, "service_account:delete", memberships);
  await repo.deleteAccount(deps.sql, row.id);
  emit(deps, "service_account.deleted", actor, meta, row);
}

async function organizationId(sql: Database, slug: string): Promise<string> {
  const id = await repo.findOrganizationId(sql, slug);
  if (!id) throw new NotFoundError(`Organization '${slug}' not found`);
  return id;
}

async function roleId(sql: Database, slug: string): Promise<string> {
  const id = await repo.findRoleId(sql, slug);
  if (!id) throw new NotFoundError(`Role '${slug}' not found`);
  return id;
}

/** Joining an organization gives the account that organization's role: the caller needs authority in both places. */
export async function addMembership(
  deps: AccountDeps, actor: Principal, slug: string, input: { organization_slug: string; role_slug: string }, meta: RequestMeta,
): Promise<void> {
  requireInOrganization(deps.events, actor, meta, "service_account:update", input.organization_slug);
  const { row, memberships } = await loadAccount(deps.sql, actor, slug);
  requireOverAccount(deps.events, actor, meta, "service_account:update", memberships);
  const orgId = await organizationId(deps.sql, input.organization_slug);
  await repo.upsertMembership(deps.sql, row.id, orgId, await roleId(deps.sql, input.role_slug));
  emit(deps, "service_account.membership_set", actor, meta, row, { organization: input.organization_slug, role: input.role_slug });
}

function membershipIn(memberships: repo.MembershipRow[], slug: string, orgSlug: string): repo.MembershipRow {
  const membership = memberships.find((m) => m.organization_slug === orgSlug);
  if (!membership) throw new NotFoundError(`Service account '${slug}' is not a member of organization '${orgSlug}'`);
  return membership;
}

/** JSON Patch over `{role_slug}`; the route's macro has checked the permission in `orgSlug`. */
export async function patchMembership(
  deps: AccountDeps, actor: Principal, slug: string, orgSlug: string, operations: Operation[], meta: RequestMeta,
): Promise<void> {
  const { row, memberships } = await loadAccount(deps.sql, actor, slug);
  const membership = membershipIn(memberships, slug, orgSlug);
  const patched = validated<{ role_slug: string }>(MembershipPatchResult, applyJsonPatch({ role_slug: membership.role }, operations, []));
  if (patched.role_slug === membership.role) return;
  await repo.setMembershipRole(deps.sql, row.id, membership.organization_id, await roleId(deps.sql, patched.role_slug));
  emit(deps, "service_account.membership_set", actor, meta, row, { organization: orgSlug, role: patched.role_slug });
}

export async function removeMembership(deps: AccountDeps, actor: Principal, slug: string, orgSlug: string, meta: RequestMeta): Promise<void> {
  const { row, memberships } = await loadAccount(deps.sql, actor, slug);
  const membership = membershipIn(memberships, slug, orgSlug);
  await repo.deleteMembership(deps.sql, row.id, membership.organization_id);
  emit(deps, "service_account.membership_removed", actor, meta, row, { organization: orgSlug });
}
