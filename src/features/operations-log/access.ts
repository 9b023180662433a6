/**
 * Organization scoping (D2) for ClickHouse rows keyed by project: the operations log and
 * events live under global paths, so a row is visible to, and changeable by, a principal
 * holding the permission in the organization that owns the row's project. `is_admin` users
 * see everything (rows of deleted projects too); service accounts never bypass.
 */
import type { EventBus, RequestMeta } from "../../infra/events.ts";
import type { Database } from "../../infra/postgres.ts";
import { NotAllowedError } from "../../http/errors.ts";
import { hasPermission, type Principal } from "../auth/principal.ts";
import { storable } from "../projects/input-checks.ts";

export interface ProjectOwner {
  id: string;
  slug: string;
  organization_id: string;
  org_slug: string;
}

const isAdmin = (principal: Principal) => principal.kind === "user" && principal.isAdmin;

/** A project with its organization, by id (any organization). */
export async function projectOwner(sql: Database, projectId: string): Promise<ProjectOwner | undefined> {
  if (!storable(projectId)) return undefined;
  const [row] = await sql<ProjectOwner[]>`
    select p.id, p.slug, p.organization_id, o.slug as org_slug
    from projects p join organizations o on o.id = p.organization_id where p.id = ${projectId}`;
  return row;
}

/** A project of the organization `orgSlug`, by id. */
export async function projectInOrg(sql: Database, orgSlug: string, projectId: string): Promise<ProjectOwner | undefined> {
  const owner = await projectOwner(sql, projectId);
  return owner && owner.org_slug === orgSlug ? owner : undefined;
}

/**
 * The ids of the projects whose rows `principal` may read with `permission`; null means every
 * row (a system admin).
 */
export async function readableProjectIds(sql: Database, principal: Principal, permission: string): Promise<string[] | null> {
  if (isAdmin(principal) && hasPermission(principal, permission)) return null;
  const slugs = [...principal.permissionsByOrg.keys()].filter((slug) => hasPermission(principal, permission, slug));
  if (!slugs.length) return [];
  const rows = await sql<{ id: string }[]>`
    select p.id from projects p join organizations o on o.id = p.organization_id where o.slug = any(${sql.array(slugs)})`;
  return rows.map((row) => row.id);
}

/** 403 (and a permission.denied event) unless `principal` holds `permission` where the row's project lives. */
export function assertAllowed(
  events: EventBus, principal: Principal, permission: string, owner: ProjectOwner | undefined, meta: RequestMeta, path: string,
): void {
  const allowed = owner ? hasPermission(principal, permission, owner.org_slug) : isAdmin(principal) && hasPermission(principal, permission);
  if (allowed) return;
  events.emit({
    type: "permission.denied", outcome: "failure", actor_type: principal.kind, actor_id: principal.id, actor_name: principal.name,
    ip: meta.ip, user_agent: meta.userAgent, request_id: meta.requestId,
    detail: { permission, organization: owner?.org_slug ?? null, path },
  });
  throw new NotAllowedError(`Permission denied: ${permission} required`);
}
