/**
 * /operations-log (reference-domain §16.2) and the project-scoped list
 * /organizations/{org_slug}/projects/{project_id}/operations-log/. The global routes need
 * the permission in some organization (route option), then in the organization of the
 * entry's project (service, D2); lists show only projects the caller may read.
 * Lists are keyset-paginated: body {metrics, data} (metrics on the first page only) and a
 * Link header (http/pagination.ts).
 */
import { Elysia, type AnyElysia, t } from "elysia";
import type { TSchema } from "@sinclair/typebox";
import type { AppContext } from "../../context.ts";
import { JsonPatchBody } from "../../http/json-patch.ts";
import { pageResponse } from "../../http/pagination.ts";
import { requestMeta } from "../../http/request-context.ts";
import {
  EntryParams, ErrorBody, ListQuery, OpsLogCreate, OpsLogEntry, OpsLogPage, PluginTemplates, ProjectListQuery, ProjectParams,
} from "./model.ts";
import {
  createEntry, deleteEntry, getEntry, listEntries, listProjectEntries, patchEntry, type OpsLogDeps, type OpsLogPageResult,
} from "./service.ts";

const tags = ["Operations log"];
const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 422: ErrorBody };
/** The create body is checked by the service (unknown keys ignored, 422 in the D2 shape); the schema is documented here. */
const jsonBody = (schema: TSchema) => ({ required: true, content: { "application/json": { schema } } });
const pathOf = (request: Request) => new URL(request.url).pathname;
const respond = (request: Request, page: OpsLogPageResult) => pageResponse(request.url, page.data, page.next, { metrics: page.metrics });

/**
 * Typed as AnyElysia: the app's route table is at TypeScript's instantiation-depth limit
 * (TS2589), and nothing consumes these routes' types (no Eden client).
 */
export function operationsLogRoutes(ctx: AppContext): AnyElysia {
  const deps: OpsLogDeps = { sql: ctx.infra.sql, clickhouse: ctx.infra.clickhouse, events: ctx.events };
  const global = new Elysia({ name: "imbi.operations-log", prefix: "/operations-log" })
    .use(ctx.auth)
    .post("/", async (c) => {
      const entry = await createEntry(deps, c.principal, c.body, requestMeta(c), pathOf(c.request));
      c.set.status = 201;
      return entry;
    }, {
      permission: "operations_log:create",
      response: { 201: OpsLogEntry, ...errors },
      detail: {
        tags, summary: "Record an operation on a project (id and slug of an existing project, one of its organization's environments)",
        requestBody: jsonBody(OpsLogCreate),
      },
    })
    .get("/", async (c) => respond(c.request, await listEntries(deps, c.principal, c.query)), {
      permission: "operations_log:read", query: ListQuery,
      response: { 200: OpsLogPage, ...errors },
      detail: { tags, summary: "Entries newest first (cursor pagination, Link header); exact filters, since ≤ occurred_at < until" },
    })
    .get("/plugin-templates", () => ({ plugins: [] }), {
      permission: "operations_log:read",
      response: { 200: PluginTemplates, ...errors },
      detail: { tags, summary: "Entry templates of installed plugins (none: plugins are not installable yet)" },
    })
    .get("/:entry_id", (c) => getEntry(deps, c.principal, c.params.entry_id, requestMeta(c), pathOf(c.request)), {
      permission: "operations_log:read", params: EntryParams,
      response: { 200: OpsLogEntry, ...errors },
      detail: { tags, summary: "An entry" },
    })
    .patch("/:entry_id", (c) => patchEntry(deps, c.principal, c.params.entry_id, c.body, requestMeta(c), pathOf(c.request)), {
      permission: "operations_log:update", params: EntryParams, body: JsonPatchBody,
      response: { 200: OpsLogEntry, ...errors },
      detail: { tags, summary: "JSON Patch; id, project_id, occurred_at, recorded_at, recorded_by are read-only" },
    })
    .delete("/:entry_id", async (c) => {
      await deleteEntry(deps, c.principal, c.params.entry_id, requestMeta(c), pathOf(c.request));
      c.set.status = 204;
    }, {
      permission: "operations_log:delete", params: EntryParams,
      response: { 204: t.Void(), ...errors },
      detail: { tags, summary: "Delete an entry (a tombstone row; gone from every read)" },
    });

  const scoped = new Elysia({ name: "imbi.operations-log.project", prefix: "/organizations/:org_slug/projects/:project_id/operations-log" })
    .use(ctx.auth)
    .get("/", async (c) => respond(c.request, await listProjectEntries(deps, c.params.org_slug, c.params.project_id, c.query)), {
      permission: "operations_log:read", params: ProjectParams, query: ProjectListQuery,
      response: { 200: OpsLogPage, ...errors },
      detail: { tags, summary: "The project's entries (as GET /operations-log/ with project_id fixed)" },
    });

  return new Elysia({ name: "imbi.operations-log.all" }).use(global).use(scoped);
}
