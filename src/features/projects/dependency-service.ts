/**
 * DEPENDS_ON between projects of one organization (§7.10). Cycles are allowed, as in the
 * reference: services that call each other really do depend on each other, and refusing
 * a cycle would make the order of two legitimate requests matter. Every reader is
 * cycle-safe instead (the walk is bounded by depth and lists each project once).
 */
import type { RequestMeta } from "../../infra/events.ts";
import { InputError, NotFoundError, UnprocessableError } from "../../http/errors.ts";
import { FOREIGN_KEY_VIOLATION, pgCode } from "../../infra/pg-errors.ts";
import type { Principal } from "../auth/principal.ts";
import { addDependency, listRelationships, removeDependency, walkDependencies } from "./dependency-repo.ts";
import { storable } from "./input-checks.ts";
import { organizationOr404, projectOr404, type ProjectsDeps } from "./service.ts";
import { auditActor } from "../audit/actor.ts";

/** The reference coerces "true" strings (blueprint attributes were once stored as text). */
const truthy = (value: unknown) => value === true || (typeof value === "string" && value.toLowerCase() === "true");

export async function projectRelationships(deps: ProjectsDeps, orgSlug: string, id: string) {
  const org = await organizationOr404(deps.sql, orgSlug);
  await projectOr404(deps.sql, org, id);
  const rows = await listRelationships(deps.sql, id);
  return {
    relationships: rows.map((row) => ({
      direction: row.direction,
      type: "depends_on" as const,
      project: {
        id: row.id, name: row.name, slug: row.slug, namespace: row.namespace,
        project_type: row.project_type, project_type_icon: row.project_type_icon, deprecated: truthy(row.deprecated),
      },
    })),
  };
}

export async function addRelationship(deps: ProjectsDeps, principal: Principal, orgSlug: string, id: string, targetId: string, meta: RequestMeta) {
  const org = await organizationOr404(deps.sql, orgSlug);
  await projectOr404(deps.sql, org, id);
  if (targetId === id) throw new InputError("A project cannot depend on itself");
  await projectOr404(deps.sql, org, targetId);
  let added: boolean;
  try {
    added = await addDependency(deps.sql, id, targetId);
  } catch (error) {
    // Either project was deleted since it was read.
    if (pgCode(error) === FOREIGN_KEY_VIOLATION) throw new NotFoundError(`Project '${targetId}' not found`);
    throw error;
  }
  if (added) {
    deps.events.emit({
      type: "project.updated", outcome: "success", ...auditActor(principal, meta),
      detail: { organization: org.slug, project_id: id, fields: ["relationships"], depends_on_added: targetId },
    });
  }
}

export async function deleteRelationship(deps: ProjectsDeps, principal: Principal, orgSlug: string, id: string, targetId: string, meta: RequestMeta) {
  const org = await organizationOr404(deps.sql, orgSlug);
  await projectOr404(deps.sql, org, id);
  if (!storable(targetId) || !(await removeDependency(deps.sql, id, targetId))) {
    throw new NotFoundError(`Relationship from '${id}' to '${targetId}' not found`);
  }
  deps.events.emit({
    type: "project.updated", outcome: "success", ...auditActor(principal, meta),
    detail: { organization: org.slug, project_id: id, fields: ["relationships"], depends_on_removed: targetId },
  });
}

export const MAX_DEPTH = 10;
const DEFAULT_DEPTH = 3;

export function parseDepth(value: string | undefined): number {
  if (value === undefined) return DEFAULT_DEPTH;
  const depth = /^\d{1,3}$/.test(value) ? Number(value) : NaN;
  if (!(depth >= 1 && depth <= MAX_DEPTH)) {
    throw new UnprocessableError([{ type: "value_error", loc: ["query", "depth"], msg: `depth must be an integer from 1 to ${MAX_DEPTH}`, input: value }]);
  }
  return depth;
}

/** The transitive dependencies of a project, each at its shortest distance (1..depth). */
export async function projectDependencies(deps: ProjectsDeps, orgSlug: string, id: string, depthParam: string | undefined) {
  const depth = parseDepth(depthParam);
  const org = await organizationOr404(deps.sql, orgSlug);
  const project = await projectOr404(deps.sql, org, id);
  const rows = await walkDependencies(deps.sql, id, depth);
  return {
    project: { id: project.id, name: project.name, slug: project.slug },
    depth,
    dependencies: rows.map(({ beyond: _beyond, ...node }) => node),
    truncated: rows.some((row) => row.beyond),
  };
}
