/**
 * Operations log rules (reference-domain §16.2). Rows belong to the organization of their
 * project (D2): creating one needs operations_log:create there, reading, editing and
 * deleting need the matching permission there, and lists show only readable projects.
 * A create names an existing project (id and its current slug) and one of its
 * organization's environments; anything else is a 422 on that field.
 */
import type { ClickHouseClient } from "@clickhouse/client";
import { Value } from "@sinclair/typebox/value";
import type { EventBus, RequestMeta } from "../../infra/events.ts";
import type { Database } from "../../infra/postgres.ts";
import { toClickHouseTime } from "../../infra/clickhouse-writer.ts";
import { NotFoundError, UnprocessableError, type ValidationDetail } from "../../http/errors.ts";
import { applyJsonPatch, type PatchOperations } from "../../http/json-patch.ts";
import { decodeCursor, pageOf, parseIsoTimestamp, parseLimit, parseTimeFilter } from "../../http/pagination.ts";
import { newId } from "../../lib/ids.ts";
import type { Principal } from "../auth/principal.ts";
import { assertStorable, checkBody, storable } from "../projects/input-checks.ts";
import { assertAllowed, projectInOrg, projectOwner, readableProjectIds, type ProjectOwner } from "./access.ts";
import {
  FILTERS, OpsLogCreate, OpsLogDocument, PATCH_READ_ONLY, SERVER_OWNED,
  type ListQueryValue, type OpsLogDocumentValue, type OpsLogEntryJson, type OpsLogMetricsJson,
} from "./model.ts";
import {
  environmentExists, findRow, fromClickHouseTime, insertRow, listRows, metrics, nextRowVersion, type ListFilters, type OpsLogRow,
} from "./repo.ts";
import { auditActor } from "../audit/actor.ts";

export interface OpsLogDeps {
  sql: Database;
  clickhouse: ClickHouseClient;
  events: EventBus;
}

const OPTIONAL_DEFAULTS = {
  performed_by: null, completed_at: null, link: null, notes: null, ticket_slug: null, version: null, plugin_slug: "", external_run_id: null,
};

const iso = (value: string | null) => (value === null ? null : fromClickHouseTime(value).toISOString());

export function entryJson(row: OpsLogRow): OpsLogEntryJson {
  return {
    id: row.id,
    occurred_at: iso(row.occurred_at)!,
    recorded_at: iso(row.recorded_at)!,
    recorded_by: row.recorded_by,
    performed_by: row.performed_by,
    completed_at: iso(row.completed_at),
    project_id: row.project_id,
    project_slug: row.project_slug,
    environment_slug: row.environment_slug,
    entry_type: row.entry_type,
    description: row.description,
    link: row.link,
    notes: row.notes,
    ticket_slug: row.ticket_slug,
    version: row.version,
    plugin_slug: row.plugin_slug,
    external_run_id: row.external_run_id,
  };
}


function timestamp(value: string, loc: string, problems: ValidationDetail[]): Date | undefined {
  const date = parseIsoTimestamp(value);
  if (!date) problems.push({ type: "datetime_parsing", loc: ["body", loc], msg: "Input should be a valid ISO-8601 datetime", input: value });
  return date;
}

/** project_slug must be the project's, environment_slug one of its organization's environments. */
async function checkReferences(deps: OpsLogDeps, owner: ProjectOwner, fields: { project_slug?: string; environment_slug?: string }, problems: ValidationDetail[]) {
  if (fields.project_slug !== undefined && fields.project_slug !== owner.slug) {
    problems.push({ type: "value_error", loc: ["body", "project_slug"], msg: `project_slug must be the slug of project '${owner.id}' ('${owner.slug}')`, input: fields.project_slug });
  }
  if (fields.environment_slug !== undefined && !(storable(fields.environment_slug) && await environmentExists(deps.sql, owner.organization_id, fields.environment_slug))) {
    problems.push({ type: "value_error", loc: ["body", "environment_slug"], msg: `Environment '${fields.environment_slug}' not found in organization '${owner.org_slug}'`, input: fields.environment_slug });
  }
}

export async function createEntry(deps: OpsLogDeps, principal: Principal, input: unknown, meta: RequestMeta, path: string): Promise<OpsLogEntryJson> {
  const raw = input !== null && typeof input === "object" && !Array.isArray(input)
    ? Object.fromEntries(Object.entries(input).filter(([key]) => !SERVER_OWNED.includes(key)))
    : input;
  const body = checkBody(OpsLogCreate, raw);
  const known = Value.Clean(OpsLogCreate, structuredClone(body)) as typeof body;
  assertStorable(known);
  const problems: ValidationDetail[] = [];
  const occurred = known.occurred_at === undefined ? new Date() : timestamp(known.occurred_at, "occurred_at", problems);
  const completed = known.completed_at == null ? null : timestamp(known.completed_at, "completed_at", problems);
  const owner = await projectOwner(deps.sql, known.project_id);
  if (!owner) {
    problems.push({ type: "value_error", loc: ["body", "project_id"], msg: `Project '${known.project_id}' not found`, input: known.project_id });
  } else {
    assertAllowed(deps.events, principal, "operations_log:create", owner, meta, path);
    await checkReferences(deps, owner, known, problems);
  }
  if (problems.length) throw new UnprocessableError(problems);

  const row: OpsLogRow = {
    id: newId(),
    occurred_at: toClickHouseTime(occurred!),
    recorded_at: toClickHouseTime(new Date()),
    recorded_by: principal.name,
    performed_by: known.performed_by ?? principal.name,
    completed_at: completed ? toClickHouseTime(completed) : null,
    project_id: owner!.id,
    project_slug: known.project_slug,
    environment_slug: known.environment_slug,
    entry_type: known.entry_type,
    description: known.description,
    link: known.link ?? null,
    notes: known.notes ?? null,
    ticket_slug: known.ticket_slug ?? null,
    version: known.version ?? null,
    _row_version: nextRowVersion(),
    is_deleted: 0,
    plugin_slug: known.plugin_slug ?? "",
    external_run_id: known.external_run_id ?? null,
  };
  await insertRow(deps.clickhouse, row);
  deps.events.emit({
    type: "operations_log.created", outcome: "success", ...auditActor(principal, meta),
    detail: { organization: owner!.org_slug, project_id: row.project_id, entry_id: row.id, entry_type: row.entry_type, environment: row.environment_slug },
  });
  return entryJson(row);
}

async function rowOr404(deps: OpsLogDeps, id: string): Promise<OpsLogRow> {
  const row = storable(id) ? await findRow(deps.clickhouse, id) : undefined;
  if (!row) throw new NotFoundError(`Operations log entry '${id}' not found`);
  return row;
}

/** The entry and its project, once `permission` is checked in the project's organization. */
async function allowedRow(deps: OpsLogDeps, principal: Principal, id: string, permission: string, meta: RequestMeta, path: string) {
  const row = await rowOr404(deps, id);
  const owner = await projectOwner(deps.sql, row.project_id);
  assertAllowed(deps.events, principal, permission, owner, meta, path);
  return { row, owner };
}

export async function getEntry(deps: OpsLogDeps, principal: Principal, id: string, meta: RequestMeta, path: string): Promise<OpsLogEntryJson> {
  const { row } = await allowedRow(deps, principal, id, "operations_log:read", meta, path);
  return entryJson(row);
}

export async function patchEntry(
  deps: OpsLogDeps, principal: Principal, id: string, operations: PatchOperations, meta: RequestMeta, path: string,
): Promise<OpsLogEntryJson> {
  const { row, owner } = await allowedRow(deps, principal, id, "operations_log:update", meta, path);
  const current = entryJson(row);
  const patched = applyJsonPatch(current, operations, PATCH_READ_ONLY);
  // A removed optional field takes its default, as in a create body without it.
  const doc: OpsLogDocumentValue = checkBody(OpsLogDocument, { ...OPTIONAL_DEFAULTS, ...patched });
  assertStorable(doc);
  const problems: ValidationDetail[] = [];
  const completed = doc.completed_at === null ? null : timestamp(doc.completed_at, "completed_at", problems);
  // Only changed references are checked: a project renamed since keeps its old entries editable.
  if (owner) {
    await checkReferences(deps, owner, {
      project_slug: doc.project_slug !== current.project_slug ? doc.project_slug : undefined,
      environment_slug: doc.environment_slug !== current.environment_slug ? doc.environment_slug : undefined,
    }, problems);
  }
  if (problems.length) throw new UnprocessableError(problems);

  const next: OpsLogRow = {
    ...row,
    performed_by: doc.performed_by,
    completed_at: completed ? toClickHouseTime(completed) : null,
    project_slug: doc.project_slug,
    environment_slug: doc.environment_slug,
    entry_type: doc.entry_type,
    description: doc.description,
    link: doc.link,
    notes: doc.notes,
    ticket_slug: doc.ticket_slug,
    version: doc.version,
    plugin_slug: doc.plugin_slug,
    external_run_id: doc.external_run_id,
    _row_version: nextRowVersion(Number(row._row_version)),
    is_deleted: 0,
  };
  await insertRow(deps.clickhouse, next);
  const result = entryJson(next);
  const fields = (Object.keys(result) as (keyof OpsLogEntryJson)[]).filter((key) => result[key] !== current[key]);
  deps.events.emit({
    type: "operations_log.updated", outcome: "success", ...auditActor(principal, meta),
    detail: { organization: owner?.org_slug ?? null, project_id: row.project_id, entry_id: row.id, fields },
  });
  return result;
}

export async function deleteEntry(deps: OpsLogDeps, principal: Principal, id: string, meta: RequestMeta, path: string): Promise<void> {
  const { row, owner } = await allowedRow(deps, principal, id, "operations_log:delete", meta, path);
  await insertRow(deps.clickhouse, { ...row, _row_version: nextRowVersion(Number(row._row_version)), is_deleted: 1 });
  deps.events.emit({
    type: "operations_log.deleted", outcome: "success", ...auditActor(principal, meta),
    detail: { organization: owner?.org_slug ?? null, project_id: row.project_id, entry_id: row.id, entry_type: row.entry_type },
  });
}

export interface OpsLogPageResult {
  data: OpsLogEntryJson[];
  metrics: OpsLogMetricsJson | null;
  next: string | null;
}

async function listWith(deps: OpsLogDeps, query: ListQueryValue, projectIds: string[] | null): Promise<OpsLogPageResult> {
  const limit = parseLimit(query.limit);
  const cursor = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
  const filters: ListFilters = {
    exact: Object.fromEntries(FILTERS.filter((name) => query[name] !== undefined).map((name) => [name, query[name]!])),
    since: parseTimeFilter(query.since, "since"),
    until: parseTimeFilter(query.until, "until"),
    projectIds,
  };
  // A value ClickHouse could not be asked about matches nothing.
  const askable = Object.values(filters.exact).every((value) => storable(value!));
  if ((projectIds && !projectIds.length) || !askable) {
    return { data: [], next: null, metrics: cursor ? null : { event_count: 0, deploys: 0, projects: 0, environments: 0, team_members: 0, deploys_by_environment: {} } };
  }
  const [rows, summary] = await Promise.all([
    listRows(deps.clickhouse, filters, limit + 1, cursor),
    cursor ? Promise.resolve(null) : metrics(deps.clickhouse, filters),
  ]);
  const { page, next } = pageOf(rows, limit, (row) => ({ timestamp: fromClickHouseTime(row.occurred_at), id: row.id }));
  return { data: page.map(entryJson), metrics: summary, next };
}

/** GET /operations-log/: entries of the projects the caller may read them in. */
export async function listEntries(deps: OpsLogDeps, principal: Principal, query: ListQueryValue): Promise<OpsLogPageResult> {
  return listWith(deps, query, await readableProjectIds(deps.sql, principal, "operations_log:read"));
}

/** GET /organizations/{org}/projects/{id}/operations-log/: the project must be in the organization. */
export async function listProjectEntries(deps: OpsLogDeps, orgSlug: string, projectId: string, query: ListQueryValue): Promise<OpsLogPageResult> {
  const owner = await projectInOrg(deps.sql, orgSlug, projectId);
  if (!owner) throw new NotFoundError(`Project '${projectId}' not found`);
  return listWith(deps, { ...query, project_id: owner.id }, null);
}
