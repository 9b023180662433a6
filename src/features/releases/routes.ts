/**
 * /organizations/{org_slug}/projects/{project_id}/releases (reference-domain §11): releases,
 * their deployment events per environment, the current release per environment. Reads need
 * project:read, writes project:write, in the organization of the path (D2). Plugin-driven
 * promote/cut and SBOM routes are out of scope (D7) and answer 404.
 */
import { Elysia, t } from "elysia";
import type { TSchema } from "@sinclair/typebox";
import type { AppContext } from "../../context.ts";
import { JsonPatchBody } from "../../http/json-patch.ts";
import { requestMeta } from "../../http/request-context.ts";
import {
  CurrentReleaseEnvironment, DeploymentCreate, ErrorBody, ListQuery, ProjectParams, ReleaseCreate, ReleaseEnvironmentEdge,
  ReleaseEnvParams, ReleaseParams, ReleaseResponse,
} from "./model.ts";
import {
  createRelease, currentReleases, getRelease, getReleaseEnvironment, listProjectReleases, listReleaseEnvironments,
  patchRelease, recordDeployment, removeRelease, type ReleasesDeps,
} from "./service.ts";

const tags = ["Releases"];
const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody, 422: ErrorBody };
/** Bodies are checked by the service (strict TypeBox, 422 in the D2 shape); the schema is documented here. */
const jsonBody = (schema: TSchema) => ({ required: true, content: { "application/json": { schema } } });

export function releaseRoutes(ctx: AppContext) {
  const deps: ReleasesDeps = { sql: ctx.infra.sql, events: ctx.events, versionFormat: ctx.settings.releases.version_format };
  return new Elysia({ name: "imbi.releases", prefix: "/organizations/:org_slug/projects/:project_id/releases" })
    .use(ctx.auth)
    .post("/", async (c) => {
      const release = await createRelease(deps, c.principal, c.params.org_slug, c.params.project_id, c.body, requestMeta(c));
      c.set.status = 201;
      return release;
    }, {
      permission: "project:write", params: ProjectParams,
      response: { 201: ReleaseResponse, ...errors },
      detail: { tags, summary: "Create a release; its tag must match IMBI_RELEASES_VERSION_FORMAT", requestBody: jsonBody(ReleaseCreate) },
    })
    .get("/", ({ params, query }) => listProjectReleases(deps, params.org_slug, params.project_id, query), {
      permission: "project:read", params: ProjectParams, query: ListQuery,
      response: { 200: t.Array(ReleaseResponse), ...errors },
      detail: { tags, summary: "The project's releases, newest first; exact committish / tag filters" },
    })
    .get("/current", ({ params }) => currentReleases(deps, params.org_slug, params.project_id), {
      permission: "project:read", params: ProjectParams,
      response: { 200: t.Array(CurrentReleaseEnvironment), ...errors },
      detail: { tags, summary: "Per environment the project is deployed in: the release with the newest deployment event" },
    })
    .get("/:release_id", ({ params }) => getRelease(deps, params.org_slug, params.project_id, params.release_id), {
      permission: "project:read", params: ReleaseParams,
      response: { 200: ReleaseResponse, ...errors },
      detail: { tags, summary: "A release" },
    })
    .patch("/:release_id", (c) => patchRelease(deps, c.principal, c.params.org_slug, c.params.project_id, c.params.release_id, c.body, requestMeta(c)), {
      permission: "project:write", params: ReleaseParams, body: JsonPatchBody,
      response: { 200: ReleaseResponse, ...errors },
      detail: { tags, summary: "JSON Patch over {tag, title, description, links}" },
    })
    .delete("/:release_id", async (c) => {
      await removeRelease(deps, c.principal, c.params.org_slug, c.params.project_id, c.params.release_id, requestMeta(c));
      c.set.status = 204;
    }, {
      permission: "project:write", params: ReleaseParams,
      response: { 204: t.Void(), ...errors },
      detail: { tags, summary: "Delete a release that has no deployment history (409 otherwise); not in the reference" },
    })
    .get("/:release_id/environments", ({ params }) => listReleaseEnvironments(deps, params.org_slug, params.project_id, params.release_id), {
      permission: "project:read", params: ReleaseParams,
      response: { 200: t.Array(ReleaseEnvironmentEdge), ...errors },
      detail: { tags, summary: "The release's deployment history per environment, by environment slug" },
    })
    .get("/:release_id/environments/:env_slug", ({ params }) => getReleaseEnvironment(deps, params.org_slug, params.project_id, params.release_id, params.env_slug), {
      permission: "project:read", params: ReleaseEnvParams,
      response: { 200: ReleaseEnvironmentEdge, ...errors },
      detail: { tags, summary: "The release's deployment history in one environment" },
    })
    .post("/:release_id/environments/:env_slug", (c) => recordDeployment(
      deps, c.principal, c.params.org_slug, c.params.project_id, c.params.release_id, c.params.env_slug, c.body, requestMeta(c),
    ), {
      permission: "project:write", params: ReleaseEnvParams,
      response: { 200: ReleaseEnvironmentEdge, ...errors },
      detail: { tags, summary: "Record a deployment event; a success makes the release current there", requestBody: jsonBody(DeploymentCreate) },
    });
}
