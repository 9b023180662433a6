/**
 * Reading events (reference-domain §16.3). GET /events/ needs admin:events:read and shows
 * the events of projects in the organizations where the caller holds it (D2; system admins
 * see every event); one event needs it in its project's organization. The project-scoped
 * list needs project:read in the path's organization, which must own the project.
 */
import type { ClickHouseClient } from "@clickhouse/client";
import type { EventBus, RequestMeta } from "../../infra/events.ts";
import type { Database } from "../../infra/postgres.ts";
import { NotFoundError } from "../../http/errors.ts";
import { decodeCursor, pageOf, parseLimit, parseTimeFilter } from "../../http/pagination.ts";
import type { Principal } from "../auth/principal.ts";
import { storable } from "../projects/input-checks.ts";
import { assertAllowed, projectInOrg, projectOwner, readableProjectIds } from "../operations-log/access.ts";
import { fromClickHouseTime } from "../operations-log/repo.ts";
import type { EventRecordJson, ListQueryValue } from "./model.ts";
import { findEvent, listEvents, type EventFilters, type EventRow } from "./repo.ts";

export interface EventsDeps {
  sql: Database;
  clickhouse: ClickHouseClient;
  events: EventBus;
}

export const EVENTS_PERMISSION = "admin:events:read";

/** JSON columns arrive as objects; text (older writers) is parsed leniently. */
function objectOf(value: EventRow["metadata"]): Record<string, unknown> {
  if (value !== null && typeof value === "object" && !Array.isArray(value)) return value;
  if (typeof value === "string") {
    try {
      const parsed: unknown = JSON.parse(value);
      if (parsed !== null && typeof parsed === "object" && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
    } catch { /* not JSON: empty */ }
  }
  return {};
}

export function eventJson(row: EventRow): EventRecordJson {
  return {
    id: row.id,
    project_id: row.project_id,
    recorded_at: fromClickHouseTime(row.recorded_at).toISOString(),
    type: row.type,
    integration: row.integration,
    attributed_to: row.attributed_to,
    metadata: objectOf(row.metadata),
    payload: objectOf(row.payload),
  };
}

export interface EventPageResult {
  data: EventRecordJson[];
  next: string | null;
}

async function listWith(deps: EventsDeps, query: ListQueryValue, projectIds: string[] | null): Promise<EventPageResult> {
  const limit = parseLimit(query.limit);
  const cursor = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
  const filters: EventFilters = {
    project_id: query.project_id, type: query.type, event_type: query.event_type, attributed_to: query.attributed_to,
    integration: query.integration,
    since: parseTimeFilter(query.since, "since"), until: parseTimeFilter(query.until, "until"),
    projectIds,
  };
  const values = [filters.project_id, filters.type, filters.event_type, filters.attributed_to, filters.integration];
  // A value ClickHouse could not be asked about matches nothing.
  if ((projectIds && !projectIds.length) || !values.every((value) => value === undefined || storable(value))) return { data: [], next: null };
  const rows = await listEvents(deps.clickhouse, filters, limit + 1, cursor);
  const { page, next } = pageOf(rows, limit, (row) => ({ timestamp: fromClickHouseTime(row.recorded_at), id: row.id }));
  return { data: page.map(eventJson), next };
}

export async function listAllEvents(deps: EventsDeps, principal: Principal, query: ListQueryValue): Promise<EventPageResult> {
  return listWith(deps, query, await readableProjectIds(deps.sql, principal, EVENTS_PERMISSION));
}

export async function listProjectEvents(deps: EventsDeps, orgSlug: string, projectId: string, query: ListQueryValue): Promise<EventPageResult> {
  const owner = await projectInOrg(deps.sql, orgSlug, projectId);
  if (!owner) throw new NotFoundError(`Project '${projectId}' not found`);
  return listWith(deps, { ...query, project_id: owner.id, integration: undefined }, null);
}

export async function getEvent(deps: EventsDeps, principal: Principal, id: string, meta: RequestMeta, path: string): Promise<EventRecordJson> {
  const row = storable(id) ? await findEvent(deps.clickhouse, id) : undefined;
  if (!row) throw new NotFoundError("Event not found");
  assertAllowed(deps.events, principal, EVENTS_PERMISSION, await projectOwner(deps.sql, row.project_id), meta, path);
  return eventJson(row);
}
