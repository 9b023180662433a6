/**
 * Release rules (reference-domain §11): create, list, read, JSON Patch and delete a
 * project's releases; record and read deployment events per environment; the current
 * release per environment. IMBI_RELEASES_VERSION_FORMAT is enforced on the tag (version.ts).
 */
import type { EventBus, RequestMeta } from "../../infra/events.ts";
import type { Database } from "../../infra/postgres.ts";
import { ConflictError, NotFoundError, UnprocessableError } from "../../http/errors.ts";
import { applyJsonPatch, DEFAULT_READ_ONLY, type PatchOperations } from "../../http/json-patch.ts";
import { pgCode, UNIQUE_VIOLATION } from "../../infra/pg-errors.ts";
import { newId } from "../../lib/ids.ts";
import type { Principal } from "../auth/principal.ts";
import { findOrganization } from "../catalog/org-resource-repo.ts";
import { assertStorable, checkBody, dataError, storable } from "../projects/input-checks.ts";
import {
  DeploymentCreate, ReleaseCreate, ReleaseDocument, type ReleaseDocumentValue, type ReleaseLinkValue,
} from "./model.ts";
import {
  advanceCurrentRelease, countEvents, deleteRelease, deployedEnvironments, eventsOf, findEnvironment, findProjectRef,
  findRelease, insertEvent, insertRelease, latestEvents, listReleases, updateRelease, type LatestEventRow, type ReleaseRow, type Sql,
} from "./repo.ts";
import { currentJson, edgeJson, releaseInfo, releaseJson, type ReleaseInfo } from "./to-json.ts";
import { checkVersion, type VersionFormat } from "./version.ts";
import { auditActor } from "../audit/actor.ts";

export interface ReleasesDeps {
  sql: Database;
  events: EventBus;
  versionFormat: VersionFormat;
}

interface Scope {
  org: { id: string; slug: string };
  project: { id: string; slug: string };
}


async function scopeOr404(sql: Sql, orgSlug: string, projectId: string): Promise<Scope> {
  const org = storable(orgSlug) ? await findOrganization(sql as Database, orgSlug) : undefined;
  if (!org) throw new NotFoundError(`Organization with slug '${orgSlug}' not found`);
  const project = storable(projectId) ? await findProjectRef(sql, org.id, projectId) : undefined;
  if (!project) throw new NotFoundError(`Project '${projectId}' not found`);
  return { org: { id: org.id, slug: org.slug }, project };
}

async function releaseOr404(sql: Sql, scope: Scope, releaseId: string, lock = false): Promise<ReleaseRow> {
  const release = storable(releaseId) ? await findRelease(sql, scope.project.id, releaseId, lock) : undefined;
  if (!release) throw new NotFoundError(`Release '${releaseId}' for project '${scope.project.id}' not found`);
  return release;
}

/** http(s) URLs only, as the reference's HttpUrl. */
function checkLinks(links: ReleaseLinkValue[]): void {
  const problems = links.flatMap((link, index) => {
    const url = URL.canParse(link.url) ? new URL(link.url) : undefined;
    return url && ["http:", "https:"].includes(url.protocol) && url.hostname ? [] : [{
      type: "url_parsing", loc: ["body", "links", index, "url"], msg: "Input should be a valid http(s) URL", input: link.url,
    }];
  });
  if (problems.length) throw new UnprocessableError(problems);
}

/** A (committish, tag) clash is the reference's 409; a data exception a 422. */
async function identityGuard<T>(scope: Scope, identity: () => { committish: string; tag: string | null }, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (pgCode(error) === UNIQUE_VIOLATION) {
      const { committish, tag } = identity();
      throw new ConflictError(`Release committish='${committish}' tag=${tag === null ? "null" : `'${tag}'`} already exists for project '${scope.project.id}'`);
    }
    throw dataError(error) ?? error;
  }
}

export async function createRelease(deps: ReleasesDeps, principal: Principal, orgSlug: string, projectId: string, input: unknown, meta: RequestMeta) {
  const scope = await scopeOr404(deps.sql, orgSlug, projectId);
  assertStorable(input);
  const body = checkBody(ReleaseCreate, input);
  const links = body.links ?? [];
  checkLinks(links);
  const tag = body.tag ?? null;
  const version = checkVersion(tag, deps.versionFormat);
  const id = newId();
  await identityGuard(scope, () => ({ committish: body.committish, tag }), () => insertRelease(deps.sql, id, scope.project.id, {
    tag, committish: body.committish, version, title: body.title, description: body.description ?? null, links,
    created_by: body.created_by ?? principal.name,
  }));
  deps.events.emit({
    type: "release.created", outcome: "success", ...auditActor(principal, meta),
    detail: { organization: scope.org.slug, project_id: scope.project.id, release_id: id, committish: body.committish, tag },
  });
  return releaseJson((await findRelease(deps.sql, scope.project.id, id))!);
}

export async function listProjectReleases(deps: ReleasesDeps, orgSlug: string, projectId: string, filter: { committish?: string; tag?: string }) {
  const scope = await scopeOr404(deps.sql, orgSlug, projectId);
  if (![filter.committish, filter.tag].every((value) => value === undefined || storable(value))) return [];
  return (await listReleases(deps.sql, scope.project.id, filter)).map(releaseJson);
}

export async function getRelease(deps: ReleasesDeps, orgSlug: string, projectId: string, releaseId: string) {
  const scope = await scopeOr404(deps.sql, orgSlug, projectId);
  return releaseJson(await releaseOr404(deps.sql, scope, releaseId));
}

const READ_ONLY = [...DEFAULT_READ_ONLY, "/committish", "/project_id", "/created_by", "/version"];

/** JSON Patch over {tag, title, description, links}; a changed tag is checked against the version format. */
export async function patchRelease(
  deps: ReleasesDeps, principal: Principal, orgSlug: string, projectId: string, releaseId: string, operations: PatchOperations, meta: RequestMeta,
) {
  const scope = await scopeOr404(deps.sql, orgSlug, projectId);
  let identity = { committish: "", tag: null as string | null };
  let changed: string[] = [];
  await identityGuard(scope, () => identity, () => deps.sql.begin(async (tx) => {
    const release = await releaseOr404(tx, scope, releaseId, true);
    const current: ReleaseDocumentValue = { tag: release.tag, title: release.title, description: release.description, links: release.links };
    const patched = applyJsonPatch(current as Record<string, unknown>, operations, READ_ONLY);
    assertStorable(patched);
    const document = checkBody(ReleaseDocument, { description: null, links: [], tag: null, ...patched });
    checkLinks(document.links);
    const version = document.tag === release.tag ? release.version : checkVersion(document.tag, deps.versionFormat);
    identity = { committish: release.committish, tag: document.tag };
    changed = (Object.keys(current) as (keyof ReleaseDocumentValue)[]).filter((key) => JSON.stringify(current[key]) !== JSON.stringify(document[key]));
    await updateRelease(tx, release.id, { tag: document.tag, version, title: document.title, description: document.description, links: document.links });
  }));
  deps.events.emit({
    type: "release.updated", outcome: "success", ...auditActor(principal, meta),
    detail: { organization: scope.org.slug, project_id: scope.project.id, release_id: releaseId, fields: changed },
  });
  return releaseJson((await findRelease(deps.sql, scope.project.id, releaseId))!);
}

/** Not in the reference (it has no DELETE): a release without deployment history may be deleted; history is never lost (D2). */
export async function removeRelease(deps: ReleasesDeps, principal: Principal, orgSlug: string, projectId: string, releaseId: string, meta: RequestMeta) {
  const scope = await scopeOr404(deps.sql, orgSlug, projectId);
  const release = await deps.sql.begin(async (tx) => {
    const row = await releaseOr404(tx, scope, releaseId, true);
    const events = await countEvents(tx, row.id);
    if (events) throw new ConflictError(`Release '${row.id}' has ${events} deployment event(s); a deployed release cannot be deleted`);
    await deleteRelease(tx, row.id);
    return row;
  });
  deps.events.emit({
    type: "release.deleted", outcome: "success", ...auditActor(principal, meta),
    detail: { organization: scope.org.slug, project_id: scope.project.id, release_id: release.id, committish: release.committish, tag: release.tag },
  });
}

async function environmentOr422(sql: Sql, scope: Scope, envSlug: string) {
  const environment = storable(envSlug) ? await findEnvironment(sql, scope.org.id, envSlug) : undefined;
  if (!environment) {
    throw new UnprocessableError([{
      type: "value_error", loc: ["path", "env_slug"], msg: `Environment '${envSlug}' not found in organization '${scope.org.slug}'`, input: envSlug,
    }]);
  }
  return environment;
}

/** Appends a DeploymentEvent; a success advances the project's current release there (DEPLOYED_IN). */
export async function recordDeployment(
  deps: ReleasesDeps, principal: Principal, orgSlug: string, projectId: string, releaseId: string, envSlug: string, input: unknown, meta: RequestMeta,
) {
  const scope = await scopeOr404(deps.sql, orgSlug, projectId);
  const release = await releaseOr404(deps.sql, scope, releaseId);
  assertStorable(input);
  const body = checkBody(DeploymentCreate, input);
  if (body.external_run_url != null) checkRunUrl(body.external_run_url);
  const environment = await environmentOr422(deps.sql, scope, envSlug);
  const event = await deps.sql.begin(async (tx) => {
    const row = await insertEvent(tx, release.id, environment.id, {
      status: body.status, note: body.note ?? null, external_run_id: body.external_run_id ?? null,
      external_run_url: body.external_run_url ?? null, performed_by: body.performed_by ?? principal.name,
    });
    if (row.status === "success") await advanceCurrentRelease(tx, scope.project.id, environment.id, release.id, row.recorded_at);
    return row;
  }).catch((error) => { throw dataError(error) ?? error; });
  deps.events.emit({
    type: "deployment.recorded", outcome: "success", ...auditActor(principal, meta),
    detail: { organization: scope.org.slug, project_id: scope.project.id, release_id: release.id, environment: environment.slug, status: event.status },
  });
  return edgeJson(environment, await eventsOf(deps.sql, release.id, environment.id));
}

function checkRunUrl(value: string): void {
  const url = URL.canParse(value) ? new URL(value) : undefined;
  if (!url || !["http:", "https:"].includes(url.protocol) || !url.hostname) {
    throw new UnprocessableError([{ type: "url_parsing", loc: ["body", "external_run_url"], msg: "Input should be a valid http(s) URL", input: value }]);
  }
}

/** Every environment the release has events in, by environment slug. */
export async function listReleaseEnvironments(deps: ReleasesDeps, orgSlug: string, projectId: string, releaseId: string) {
  const scope = await scopeOr404(deps.sql, orgSlug, projectId);
  const release = await releaseOr404(deps.sql, scope, releaseId);
  const events = await eventsOf(deps.sql, release.id);
  const bySlug = new Map<string, typeof events>();
  for (const event of events) (bySlug.get(event.env_slug) ?? bySlug.set(event.env_slug, []).get(event.env_slug)!).push(event);
  return [...bySlug.values()].map((list) => edgeJson({ slug: list[0]!.env_slug, name: list[0]!.env_name }, list));
}

export async function getReleaseEnvironment(deps: ReleasesDeps, orgSlug: string, projectId: string, releaseId: string, envSlug: string) {
  const scope = await scopeOr404(deps.sql, orgSlug, projectId);
  const release = await releaseOr404(deps.sql, scope, releaseId);
  const environment = storable(envSlug) ? await findEnvironment(deps.sql, scope.org.id, envSlug) : undefined;
  const events = environment ? await eventsOf(deps.sql, release.id, environment.id) : [];
  if (!environment || !events.length) throw new NotFoundError(`Release '${release.id}' has no deployments in environment '${envSlug}'`);
  return edgeJson(environment, events);
}

/** GET …/releases/current: per DEPLOYED_IN environment, the release with the newest event (or null). */
export async function currentReleases(deps: ReleasesDeps, orgSlug: string, projectId: string) {
  const scope = await scopeOr404(deps.sql, orgSlug, projectId);
  const [environments, latest] = await Promise.all([
    deployedEnvironments(deps.sql, scope.project.id), latestEvents(deps.sql, { projectId: scope.project.id }),
  ]);
  const byEnv = new Map(latest.map((row) => [row.environment_id, row]));
  return environments.map((environment) => currentJson(environment, byEnv.get(environment.id)));
}

/**
 * For project responses (§7.3 current_releases): project id → environment id → ReleaseInfo,
 * for one project or every project of an organization, in one query.
 */
export async function currentReleasesByProject(sql: Sql, scope: { projectId: string } | { orgId: string }): Promise<Map<string, Map<string, ReleaseInfo>>> {
  const result = new Map<string, Map<string, ReleaseInfo>>();
  for (const row of await latestEvents(sql, scope) as LatestEventRow[]) {
    (result.get(row.project_id) ?? result.set(row.project_id, new Map()).get(row.project_id)!).set(row.environment_id, releaseInfo(row));
  }
  return result;
}
