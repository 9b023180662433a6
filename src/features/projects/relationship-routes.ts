/**
 * DEPENDS_ON routes under /organizations/{org_slug}/projects/{project_id}: the one-hop
 * listing, add and remove (§7.10), and the transitive walk (dependencies?depth=N).
 */
import { Elysia, t } from "elysia";
import type { AppContext } from "../../context.ts";
import { requestMeta } from "../../http/request-context.ts";
import { DependenciesQuery, DependenciesResponse, ErrorBody, ProjectParams, RelationshipsResponse, TargetParams } from "./model.ts";
import { addRelationship, deleteRelationship, projectDependencies, projectRelationships } from "./dependency-service.ts";
import type { ProjectsDeps } from "./service.ts";

const tags = ["Projects"];
const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 422: ErrorBody };

export function relationshipRoutes(ctx: AppContext, deps: ProjectsDeps) {
  return new Elysia({ name: "imbi.projects.relationships", prefix: "/organizations/:org_slug/projects" })
    .use(ctx.auth)
    .get("/:project_id/relationships", ({ params }) => projectRelationships(deps, params.org_slug, params.project_id), {
      permission: "project:read", params: ProjectParams,
      response: { 200: RelationshipsResponse, ...errors },
      detail: { tags, summary: "Projects this one depends on (outbound) and that depend on it (inbound)" },
    })
    .post("/:project_id/relationships/:target_id", async (c) => {
      await addRelationship(deps, c.principal, c.params.org_slug, c.params.project_id, c.params.target_id, requestMeta(c));
      c.set.status = 204;
    }, {
      permission: "project:write", params: TargetParams,
      response: { 204: t.Void(), ...errors },
      detail: { tags, summary: "Record that the project depends on target_id (same organization; idempotent)" },
    })
    .delete("/:project_id/relationships/:target_id", async (c) => {
      await deleteRelationship(deps, c.principal, c.params.org_slug, c.params.project_id, c.params.target_id, requestMeta(c));
      c.set.status = 204;
    }, {
      permission: "project:write", params: TargetParams,
      response: { 204: t.Void(), ...errors },
      detail: { tags, summary: "Remove a DEPENDS_ON relationship" },
    })
    .get("/:project_id/dependencies", ({ params, query }) => projectDependencies(deps, params.org_slug, params.project_id, query.depth), {
      permission: "project:read", params: ProjectParams, query: DependenciesQuery,
      response: { 200: DependenciesResponse, ...errors },
      detail: { tags, summary: "Transitive dependencies up to depth hops (1..10, default 3), each at its shortest distance" },
    });
}
