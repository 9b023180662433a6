/**
 * /events (reference-domain §16.3): read-only, keyset-paginated ({data} + Link header), and
 * the project-scoped /organizations/{org_slug}/projects/{project_id}/events/. Events are
 * written by the gateway, plugins and API internals, never through these routes.
 */
import { Elysia, type AnyElysia } from "elysia";
import type { AppContext } from "../../context.ts";
import { pageResponse } from "../../http/pagination.ts";
import { requestMeta } from "../../http/request-context.ts";
import { ErrorBody, EventPage, EventParams, EventRecord, ListQuery, ProjectListQuery, ProjectParams } from "./model.ts";
import { EVENTS_PERMISSION, getEvent, listAllEvents, listProjectEvents, type EventsDeps } from "./service.ts";

const tags = ["Events"];
const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 422: ErrorBody };

/**
 * Typed as AnyElysia: the app's route table is at TypeScript's instantiation-depth limit
 * (TS2589), and nothing consumes these routes' types (no Eden client).
 */
export function eventRoutes(ctx: AppContext): AnyElysia {
  const deps: EventsDeps = { sql: ctx.infra.sql, clickhouse: ctx.infra.clickhouse, events: ctx.events };
  const global = new Elysia({ name: "imbi.events", prefix: "/events" })
    .use(ctx.auth)
    .get("/", async (c) => {
      const page = await listAllEvents(deps, c.principal, c.query);
      return pageResponse(c.request.url, page.data, page.next);
    }, {
      permission: EVENTS_PERMISSION, query: ListQuery,
      response: { 200: EventPage, ...errors },
      detail: { tags, summary: "Events newest first (cursor pagination, Link header); event_type filters metadata.event_type" },
    })
    .get("/:event_id", (c) => getEvent(deps, c.principal, c.params.event_id, requestMeta(c), new URL(c.request.url).pathname), {
      permission: EVENTS_PERMISSION, params: EventParams,
      response: { 200: EventRecord, ...errors },
      detail: { tags, summary: "An event" },
    });

  const scoped = new Elysia({ name: "imbi.events.project", prefix: "/organizations/:org_slug/projects/:project_id/events" })
    .use(ctx.auth)
    .get("/", async (c) => {
      const page = await listProjectEvents(deps, c.params.org_slug, c.params.project_id, c.query);
      return pageResponse(c.request.url, page.data, page.next);
    }, {
      permission: "project:read", params: ProjectParams, query: ProjectListQuery,
      response: { 200: EventPage, ...errors },
      detail: { tags, summary: "The project's events (as GET /events/ with project_id fixed)" },
    });

  return new Elysia({ name: "imbi.events.all" }).use(global).use(scoped);
}
