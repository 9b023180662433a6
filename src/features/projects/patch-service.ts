/**
 * Changing a project: JSON Patch over the patchable document (§7.8) and the DEPLOYED_IN
 * property merge of one environment (§7.7). Both run in a transaction holding the
 * project's row lock, so concurrent patches apply one after the other.
 */
import type { RequestMeta } from "../../infra/events.ts";
import { NotFoundError, UnprocessableError, type ValidationDetail } from "../../http/errors.ts";
import { applyJsonPatch, DEFAULT_READ_ONLY, type PatchOperations } from "../../http/json-patch.ts";
import type { Principal } from "../auth/principal.ts";
import { EdgeProperties, ProjectDocument } from "./model.ts";
import { dedupe, resolveReferences } from "./references.ts";
import { assertStorable, checkBody, storable } from "./input-checks.ts";
import { checkDeploymentProperties, checkProjectBlueprints } from "./blueprint-checks.ts";
import {
  findIdBySlug, findProject, loadCatalogFor, lockEdgeProperties, lockProject, mergeEdgeProperties, replaceEnvironments, replaceTypes, touchProject,
  updateProject, type Catalog, type ProjectRecord,
} from "./repo.ts";
import { organizationOr404, projectJson, projectOr404, writeGuard, type ProjectsDeps } from "./service.ts";
import { edgeJson, PROTECTED_EDGE_KEYS, ProjectSerializer, RELEASE_EDGE_KEYS, type OrgRef } from "./to-json.ts";
import { auditActor } from "../audit/actor.ts";

/** Parts of the response that are not the project's to patch (400 "read-only"). */
const READ_ONLY = [
  ...DEFAULT_READ_ONLY, "/archived", "/archived_at", "/team", "/project_types", "/organization", "/score", "/breakdown",
  "/services", "/open_pr_count", "/closed_pr_count", "/viewer_open_pr_count", "/viewer_closed_pr_count", "/current_releases",
  "/lifecycle_results",
];

/** What PATCH operates on: the project's own fields plus its edges by slug. */
export function patchableDocument(record: ProjectRecord, catalog: Catalog, org: OrgRef): ProjectDocument {
  const serializer = new ProjectSerializer(catalog, org, "");
  return {
    ...record.attributes, // blueprint attributes at the top level (§7.8); the fields below win a clash
    name: record.name, slug: record.slug, description: record.description, icon: record.icon,
    team_slug: catalog.teams.get(record.team_id)?.slug ?? "",
    project_type_slugs: serializer.typesOf(record).map((row) => row.slug),
    environments: Object.fromEntries(serializer.environmentsOf(record).map(({ edge, row }) => [row.slug, edgeJson(edge)])),
    links: record.links, identifiers: record.identifiers,
  };
}

/** What a `remove` leaves behind: optional fields fall back to their create defaults. */
const DEFAULTS: Partial<ProjectDocument> = { description: null, icon: null, environments: {}, links: {}, identifiers: {} };

function checkDocument(patched: Record<string, unknown>): ProjectDocument {
  const document: Record<string, unknown> = { ...DEFAULTS, ...patched };
  assertStorable(document);
  return checkBody(ProjectDocument, document);
}

const changedFields = (before: ProjectDocument, after: ProjectDocument) =>
  ([...new Set([...Object.keys(before), ...Object.keys(after)])] as (keyof ProjectDocument)[])
    .filter((key) => JSON.stringify(before[key]) !== JSON.stringify(after[key]));

export async function patchProject(
  deps: ProjectsDeps, principal: Principal, orgSlug: string, id: string, operations: PatchOperations, meta: RequestMeta,
) {
  const org = await organizationOr404(deps.sql, orgSlug);
  let changed: string[] = [];
  let slug = "";
  const write = async () => deps.sql.begin(async (tx) => {
    if (!(await lockProject(tx, org.id, id))) throw new NotFoundError(`Project '${id}' not found`);
    const record = (await findProject(tx, org.id, id))!;
    const current = patchableDocument(record, await loadCatalogFor(tx, record), org);
    const patched = checkDocument(applyJsonPatch(current as Record<string, unknown>, operations, READ_ONLY));
    patched.project_type_slugs = dedupe(patched.project_type_slugs);
    slug = patched.slug;
    changed = changedFields(current, patched);
    // Attributes and environment properties checked against the blueprints (422 when invalid).
    const { attributes, environments } = await checkProjectBlueprints(tx, patched, record.attributes);
    const refs = await resolveReferences(tx, org, { ...patched, environments });
    await updateProject(tx, id, {
      team_id: refs.teamId, slug: patched.slug, name: patched.name, description: patched.description, icon: patched.icon,
      links: refs.links, identifiers: patched.identifiers, attributes,
    });
    await replaceTypes(tx, id, refs.typeIds);
    await replaceEnvironments(tx, id, refs.environments);
  });
  await writeGuard(() => slug, write);
  deps.events.emit({
    type: "project.updated", outcome: "success", ...auditActor(principal, meta),
    detail: { organization: org.slug, project_id: id, fields: changed },
  });
  return { ...(await projectJson(deps, org, id)), lifecycle_results: [] };
}

/** §7.7: non-null values are set, `null` removes; environment columns and release state are refused. */
export async function patchEnvironmentEdge(
  deps: ProjectsDeps, principal: Principal, orgSlug: string, id: string, envSlug: string, input: unknown, meta: RequestMeta,
) {
  const org = await organizationOr404(deps.sql, orgSlug);
  const project = await projectOr404(deps.sql, org, id);
  const body = checkBody(EdgeProperties, input);
  assertStorable(body);
  const keys = Object.keys(body);
  if (!keys.length) throw new UnprocessableError([{ type: "value_error", loc: ["body"], msg: "No editable edge properties provided", input: body }]);
  const refused = keys.filter((key) => PROTECTED_EDGE_KEYS.includes(key) || RELEASE_EDGE_KEYS.includes(key));
  if (refused.length) {
    throw new UnprocessableError(refused.map((key): ValidationDetail => ({
      type: "value_error", loc: ["body", key], msg: `Protected environment fields are not editable via this endpoint: ${JSON.stringify(refused)}`, input: body[key],
    })));
  }
  const notDeployed = new NotFoundError(`Project '${project.id}' is not deployed in environment '${envSlug}'`);
  const environmentId = storable(envSlug) ? await findIdBySlug(deps.sql, "environments", org.id, envSlug) : undefined;
  if (!environmentId) throw notDeployed;
  const set = Object.fromEntries(Object.entries(body).filter(([, value]) => value !== null));
  const remove = keys.filter((key) => body[key] === null);
  const edge = await writeGuard(project.slug, () => deps.sql.begin(async (tx) => {
    // The resulting properties are checked against the relationship blueprints (§13.4).
    const current = await lockEdgeProperties(tx, id, environmentId);
    if (!current) return undefined;
    const merged = Object.fromEntries(Object.entries({ ...current, ...set }).filter(([key]) => !remove.includes(key)));
    const valid = await checkDeploymentProperties(tx, id, envSlug, merged);
    const row = await mergeEdgeProperties(tx, id, environmentId, valid, Object.keys(current).filter((key) => !(key in valid)));
    if (row) await touchProject(tx, id);
    return row;
  }));
  if (!edge) throw notDeployed;
  deps.events.emit({
    type: "project.updated", outcome: "success", ...auditActor(principal, meta),
    detail: { organization: org.slug, project_id: id, fields: ["environments"], environment: envSlug },
  });
  return edgeJson(edge);
}
