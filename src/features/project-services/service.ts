/**
 * Project services (reference-domain §10.2): which integrations of its organization a
 * project exists in, under which identifier. POST upserts the edge (the reference's MERGE),
 * PUT changes an existing one, DELETE removes it. The dashboard URL is not edge state: it is
 * the project's link keyed by the integration slug. An identifier names one project per
 * integration (the gateway resolves deliveries by it), so a second claim is a 409.
 */
import type { EventBus, RequestMeta } from "../../infra/events.ts";
import type { Database } from "../../infra/postgres.ts";
import { ConflictError, NotFoundError, UnprocessableError } from "../../http/errors.ts";
import { pgCode, UNIQUE_VIOLATION } from "../../infra/pg-errors.ts";
import type { Principal } from "../auth/principal.ts";
import { findOrganization } from "../catalog/org-resource-repo.ts";
import { assertStorable, checkBody, dataError, storable } from "../projects/input-checks.ts";
import { ExistsInCreate, type ExistsInCreateBody, type ExistsInJson } from "./model.ts";
import {
  deleteService, findIntegration, findProject, identifierOwner, projectIdsIn, selectServices, selectServicesOf, setProjectLink,
  updateService, upsertService, type ProjectRef, type ServiceRow, type Sql,
} from "./repo.ts";
import { auditActor } from "../audit/actor.ts";

export interface ProjectServicesDeps {
  sql: Database;
  events: EventBus;
}

type Org = { id: string; slug: string };


const serviceJson = (row: ServiceRow, links: Record<string, string>): ExistsInJson => ({
  integration_slug: row.integration_slug, integration_name: row.integration_name, identifier: row.identifier,
  canonical_url: row.canonical_url, dashboard_url: links[row.integration_slug] ?? null,
});

async function scopeOr404(sql: Sql, orgSlug: string, projectId: string, lock = false): Promise<{ org: Org; project: ProjectRef }> {
  const org = await findOrganization(sql as Database, orgSlug);
  if (!org) throw new NotFoundError(`Organization with slug '${orgSlug}' not found`);
  const project = storable(projectId) ? await findProject(sql, org.id, projectId, lock) : undefined;
  if (!project) throw new NotFoundError(`Project '${projectId}' not found`);
  return { org, project };
}

/** An http(s) URL, normalized as the project's links are (`https://a.io` → `https://a.io/`); empty or null → none. */
function dashboardUrl(value: string | null | undefined): string | null {
  if (!value) return null;
  const url = URL.canParse(value) ? new URL(value) : undefined;
  if (!url || !["http:", "https:"].includes(url.protocol) || !url.hostname) {
    throw new UnprocessableError([{ type: "url_parsing", loc: ["body", "dashboard_url"], msg: "Input should be a valid http(s) URL", input: value }]);
  }
  return url.href;
}

function parse(input: unknown): { body: ExistsInCreateBody; dashboard: string | null } {
  assertStorable(input);
  const body = checkBody(ExistsInCreate, input);
  return { body, dashboard: dashboardUrl(body.dashboard_url) };
}

async function claimGuard(sql: Sql, integration: { id: string; slug: string }, identifier: string, projectId: string, write: () => Promise<void>) {
  const conflict = async () => {
    const owner = await identifierOwner(sql, integration.id, identifier, projectId);
    return new ConflictError(`Identifier '${identifier}' of integration '${integration.slug}' already belongs to project '${owner ?? "another project"}'`);
  };
  if (await identifierOwner(sql, integration.id, identifier, projectId)) throw await conflict();
  try {
    await write();
  } catch (error) {
    // A concurrent claim between the check and the write.
    if (pgCode(error) === UNIQUE_VIOLATION) throw await conflict();
    throw dataError(error) ?? error;
  }
}

/** Keeps the project's link under the integration slug in step with the dashboard URL. */
async function syncLink(tx: Sql, project: ProjectRef, key: string, url: string | null): Promise<Record<string, string>> {
  if ((project.links[key] ?? null) !== url) await setProjectLink(tx, project.id, key, url);
  const links = { ...project.links };
  if (url === null) delete links[key];
  else links[key] = url;
  return links;
}

export async function listServices(deps: ProjectServicesDeps, orgSlug: string, projectId: string): Promise<ExistsInJson[]> {
  const { project } = await scopeOr404(deps.sql, orgSlug, projectId);
  return (await selectServices(deps.sql, project.id)).map((row) => serviceJson(row, project.links));
}

export async function addService(deps: ProjectServicesDeps, principal: Principal, orgSlug: string, projectId: string, input: unknown, meta: RequestMeta) {
  const result = await deps.sql.begin(async (tx) => {
    const { org, project } = await scopeOr404(tx, orgSlug, projectId, true);
    const { body, dashboard } = parse(input);
    const integration = storable(body.integration_slug) ? await findIntegration(tx, org.id, body.integration_slug) : undefined;
    if (!integration) throw new NotFoundError(`Project '${projectId}' or integration '${body.integration_slug}' not found`);
    await claimGuard(tx, integration, body.identifier, project.id, () => upsertService(tx, project.id, integration.id, body.identifier, body.canonical_url ?? null));
    // As the reference: POST only ever adds the link; clearing it is PUT's or DELETE's.
    const links = dashboard === null ? project.links : await syncLink(tx, project, integration.slug, dashboard);
    return { org, project, json: serviceJson((await selectServices(tx, project.id, integration.slug))[0]!, links) };
  });
  deps.events.emit({
    type: "project_service.created", outcome: "success", ...auditActor(principal, meta),
    detail: { organization: result.org.slug, project_id: result.project.id, integration: result.json.integration_slug, identifier: result.json.identifier },
  });
  return result.json;
}

export async function replaceService(
  deps: ProjectServicesDeps, principal: Principal, orgSlug: string, projectId: string, serviceSlug: string, input: unknown, meta: RequestMeta,
) {
  const result = await deps.sql.begin(async (tx) => {
    const { org, project } = await scopeOr404(tx, orgSlug, projectId, true);
    const { body, dashboard } = parse(input);
    const [row] = storable(serviceSlug) ? await selectServices(tx, project.id, serviceSlug) : [];
    if (!row) throw new NotFoundError(`EXISTS_IN link between project '${projectId}' and integration '${serviceSlug}' not found`);
    const integration = { id: row.integration_id, slug: row.integration_slug };
    await claimGuard(tx, integration, body.identifier, project.id, () => updateService(tx, project.id, integration.id, body.identifier, body.canonical_url ?? null));
    const links = await syncLink(tx, project, integration.slug, dashboard);
    return { org, project, json: serviceJson((await selectServices(tx, project.id, integration.slug))[0]!, links) };
  });
  deps.events.emit({
    type: "project_service.updated", outcome: "success", ...auditActor(principal, meta),
    detail: { organization: result.org.slug, project_id: result.project.id, integration: result.json.integration_slug, identifier: result.json.identifier },
  });
  return result.json;
}

/** Nothing depends on the edge; the project's dashboard link under the integration slug goes with it. */
export async function removeService(deps: ProjectServicesDeps, principal: Principal, orgSlug: string, projectId: string, serviceSlug: string, meta: RequestMeta) {
  const result = await deps.sql.begin(async (tx) => {
    const { org, project } = await scopeOr404(tx, orgSlug, projectId, true);
    const [row] = storable(serviceSlug) ? await selectServices(tx, project.id, serviceSlug) : [];
    if (!row) throw new NotFoundError(`EXISTS_IN link between project '${projectId}' and service '${serviceSlug}' not found`);
    await deleteService(tx, project.id, row.integration_id);
    await syncLink(tx, project, row.integration_slug, null);
    return { org, project, row };
  });
  deps.events.emit({
    type: "project_service.deleted", outcome: "success", ...auditActor(principal, meta),
    detail: { organization: result.org.slug, project_id: result.project.id, integration: result.row.integration_slug, identifier: result.row.identifier },
  });
}

/**
 * For project responses (§7.3 `services`): each project's services, with the dashboard URL
 * from its links; projects without services are absent from the map.
 */
export async function servicesByProject(sql: Sql, projects: { id: string; links: Record<string, string> }[]): Promise<Map<string, ExistsInJson[]>> {
  const result = new Map<string, ExistsInJson[]>();
  if (!projects.length) return result;
  const links = new Map(projects.map((project) => [project.id, project.links]));
  for (const row of await selectServicesOf(sql, [...links.keys()])) {
    const list = result.get(row.project_id) ?? result.set(row.project_id, []).get(row.project_id)!;
    list.push(serviceJson(row, links.get(row.project_id) ?? {}));
  }
  return result;
}

/**
 * For the projects list filters (§7.5 `integration_slug`, `identifier`): the ids of the
 * organization's projects that exist in the integration; an unknown integration has none.
 */
export function projectsInIntegration(sql: Sql, orgId: string, integrationSlug: string, identifier?: string): Promise<string[]> {
  if (!storable(integrationSlug) || (identifier !== undefined && !storable(identifier))) return Promise.resolve([]);
  return projectIdsIn(sql, orgId, integrationSlug, identifier);
}
