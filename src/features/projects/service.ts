/**
 * Project rules (reference-domain §7): create in one transaction, read one or a filtered
 * list, archive, unarchive and delete (refused with 409 while other projects depend on it,
 * D2). JSON Patch lives in patch-service.ts, DEPENDS_ON in dependency-service.ts.
 */
import type { EventBus, RequestMeta } from "../../infra/events.ts";
import type { Database } from "../../infra/postgres.ts";
import { ConflictError, InputError, NotFoundError, UnprocessableError } from "../../http/errors.ts";
import { FOREIGN_KEY_VIOLATION, pgCode, UNIQUE_VIOLATION } from "../../infra/pg-errors.ts";
import { newId } from "../../lib/ids.ts";
import type { Principal } from "../auth/principal.ts";
import { findOrganization } from "../catalog/org-resource-repo.ts";
import { ProjectCreate, type ListQuery, type ProjectJson } from "./model.ts";
import { resolveReferences } from "./references.ts";
import { assertStorable, checkBody, dataError, storable } from "./input-checks.ts";
import { listProjects } from "./list-repo.ts";
import { checkProjectBlueprints } from "./blueprint-checks.ts";
import {
  deleteProject, dependentsOf, findIdBySlug, findProject, insertProject, loadCatalogFor,
  replaceEnvironments, replaceTypes, setArchived, type ProjectRecord,
} from "./repo.ts";
import { ProjectSerializer, type OrgRef } from "./to-json.ts";
import { currentReleasesByProject } from "../releases/service.ts";
import { projectsInIntegration, servicesByProject } from "../project-services/service.ts";
import { auditActor } from "../audit/actor.ts";

export interface ProjectsDeps {
  sql: Database;
  events: EventBus;
  /** The API path prefix, for hrefs. */
  prefix: string;
}

/** No lifecycle plugins yet: every mutation reports an empty list (§7.3). */
const NO_LIFECYCLE = { lifecycle_results: [] as never[] };


export async function organizationOr404(sql: Database, slug: string): Promise<OrgRef> {
  const org = storable(slug) ? await findOrganization(sql, slug) : undefined;
  if (!org) throw new NotFoundError(`Organization with slug '${slug}' not found`);
  return { id: org.id, name: org.name, slug: org.slug };
}

export async function projectOr404(sql: Database, org: OrgRef, id: string): Promise<ProjectRecord> {
  const project = storable(id) ? await findProject(sql, org.id, id) : undefined;
  if (!project) throw new NotFoundError(`Project '${id}' not found`);
  return project;
}

/**
 * A write with its database errors mapped: a unique-slug clash is the 409 D2 asks for
 * (`slug` may be known only once the write ran), a data exception a 422.
 */
export async function writeGuard<T>(slug: string | (() => string), write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    const name = typeof slug === "function" ? slug() : slug;
    if (pgCode(error) === UNIQUE_VIOLATION) throw new ConflictError(`Project with slug '${name}' already exists in this organization`);
    throw dataError(error) ?? error;
  }
}

/** The full response for one project, read after the write committed. */
export async function projectJson(deps: ProjectsDeps, org: OrgRef, id: string): Promise<ProjectJson> {
  const project = await projectOr404(deps.sql, org, id);
  const [catalog, releases, services] = await Promise.all([
    loadCatalogFor(deps.sql, project), currentReleasesByProject(deps.sql, { projectId: id }), servicesByProject(deps.sql, [project]),
  ]);
  return new ProjectSerializer(catalog, org, deps.prefix, releases, services).full(project);
}

export async function createProject(deps: ProjectsDeps, principal: Principal, orgSlug: string, input: unknown, meta: RequestMeta) {
  const body = checkBody(ProjectCreate, input);
  assertStorable(body);
  const org = await organizationOr404(deps.sql, orgSlug);
  const id = newId();
  // Extra keys → blueprint attributes; environment properties → relationship blueprints (422 when invalid).
  const { attributes, environments } = await checkProjectBlueprints(deps.sql, input as Record<string, unknown>);
  await writeGuard(body.slug, () => deps.sql.begin(async (tx) => {
    const refs = await resolveReferences(tx, org, {
      team_slug: body.team_slug, project_type_slugs: body.project_type_slugs,
      environments, links: body.links ?? {},
    });
    await insertProject(tx, id, org.id, {
      team_id: refs.teamId, slug: body.slug, name: body.name, description: body.description ?? null, icon: body.icon ?? null,
      links: refs.links, identifiers: body.identifiers ?? {}, attributes,
    });
    await replaceTypes(tx, id, refs.typeIds);
    await replaceEnvironments(tx, id, refs.environments);
  }));
  deps.events.emit({
    type: "project.created", outcome: "success", ...auditActor(principal, meta),
    detail: { organization: org.slug, project_id: id, slug: body.slug },
  });
  return { ...(await projectJson(deps, org, id)), ...NO_LIFECYCLE };
}

export async function getProject(deps: ProjectsDeps, orgSlug: string, id: string) {
  return projectJson(deps, await organizationOr404(deps.sql, orgSlug), id);
}

const FILTER = /^([^:]+):([a-z_]+)(?::(.*))?$/;
const FILTER_OPS = new Set(["eq", "ne", "in", "not_in", "exists", "not_exists"]);

/**
 * §7.5 `filter=field:op[:value]`: the syntax and operator are checked, then the field must be
 * a filterable blueprint attribute. No attribute is filterable until blueprints exist, so a
 * well-formed filter is refused naming its field rather than silently ignored.
 */
function checkFilters(filters: string | string[] | undefined): void {
  for (const filter of filters === undefined ? [] : [filters].flat()) {
    const match = FILTER.exec(filter);
    if (!match) throw new InputError(`Invalid filter '${filter}'; expected field:op[:value]`);
    const [, field, op, value] = match;
    if (!FILTER_OPS.has(op!)) throw new InputError(`Invalid filter operator '${op}' in '${filter}'`);
    const needsValue = op !== "exists" && op !== "not_exists";
    if (needsValue !== (value !== undefined && value !== "")) throw new InputError(`Invalid filter '${filter}': '${op}' ${needsValue ? "needs" : "takes no"} value`);
    throw new InputError(`Field '${field}' is not a filterable project attribute`);
  }
}

/** §7.5: filters by team / project type / environment slug (unknown → empty), name order. */
export async function listOrgProjects(deps: ProjectsDeps, orgSlug: string, query: ListQuery) {
  const org = await organizationOr404(deps.sql, orgSlug);
  if (query.identifier !== undefined && query.integration_slug === undefined) {
    throw new UnprocessableError([{ type: "missing", loc: ["query", "integration_slug"], msg: "identifier needs integration_slug" }]);
  }
  checkFilters(query.filter);
  // Only the projects that exist in the integration (with that identifier, when given).
  const inIntegration = query.integration_slug === undefined ? null
    : new Set(await projectsInIntegration(deps.sql, org.id, query.integration_slug, query.identifier));
  if (inIntegration?.size === 0) return [];
  const typeSlug = query.project_type ?? query["project-type"];
  if (![query.team, typeSlug, query.environment].every((slug) => slug === undefined || storable(slug))) return [];
  const lookups = await Promise.all([
    query.team === undefined ? null : findIdBySlug(deps.sql, "teams", org.id, query.team),
    typeSlug === undefined ? null : findIdBySlug(deps.sql, "project_types", org.id, typeSlug),
    query.environment === undefined ? null : findIdBySlug(deps.sql, "environments", org.id, query.environment),
  ]);
  if (lookups.includes(undefined)) return [];
  const [teamId, typeId, environmentId] = lookups as (string | null)[];
  const [{ projects, catalog }, releases] = await Promise.all([
    listProjects(deps.sql, org.id, {
      teamId: teamId ?? undefined, typeId: typeId ?? undefined, environmentId: environmentId ?? undefined,
      includeArchived: query.include_archived,
    }),
    currentReleasesByProject(deps.sql, { orgId: org.id }),
  ]);
  const listed = inIntegration ? projects.filter((p) => inIntegration.has(p.id)) : projects;
  if (query.slim) return listed.map((p) => new ProjectSerializer(catalog, org, deps.prefix, releases).slim(p));
  const serializer = new ProjectSerializer(catalog, org, deps.prefix, releases, await servicesByProject(deps.sql, listed));
  return listed.map((p) => serializer.full(p));
}

export async function archiveProject(deps: ProjectsDeps, principal: Principal, orgSlug: string, id: string, archived: boolean, meta: RequestMeta) {
  const org = await organizationOr404(deps.sql, orgSlug);
  await projectOr404(deps.sql, org, id);
  await setArchived(deps.sql, id, archived);
  deps.events.emit({
    type: "project.updated", outcome: "success", ...auditActor(principal, meta),
    detail: { organization: org.slug, project_id: id, fields: ["archived", "archived_at"], archived },
  });
  return { ...(await projectJson(deps, org, id)), ...NO_LIFECYCLE };
}

function blockedBy(project: ProjectRecord, dependents: { slug: string }[]) {
  return new ConflictError(
    `Project '${project.slug}' is a dependency of ${dependents.length} project(s): ${dependents.map((d) => d.slug).join(", ")}; remove those relationships first`,
  );
}

export async function removeProject(deps: ProjectsDeps, principal: Principal, orgSlug: string, id: string, meta: RequestMeta) {
  const org = await organizationOr404(deps.sql, orgSlug);
  const project = await projectOr404(deps.sql, org, id);
  const dependents = await dependentsOf(deps.sql, id);
  if (dependents.length) throw blockedBy(project, dependents);
  try {
    await deleteProject(deps.sql, id);
  } catch (error) {
    // A dependency was added between the check and the delete.
    if (pgCode(error) === FOREIGN_KEY_VIOLATION) throw blockedBy(project, await dependentsOf(deps.sql, id));
    throw error;
  }
  deps.events.emit({
    type: "project.deleted", outcome: "success", ...auditActor(principal, meta),
    detail: { organization: org.slug, project_id: id, slug: project.slug },
  });
  return NO_LIFECYCLE;
}
