/**
 * Release SQL: releases, their deployment events (one row per DeploymentEvent), the
 * project's DEPLOYED_IN current release, and the latest event per environment that the
 * project responses (current_releases) and GET …/releases/current are built from.
 */
import type { TransactionSql } from "postgres";
import type { Database } from "../../infra/postgres.ts";
import type { DeploymentStatusValue } from "./model.ts";

export type Sql = Database | TransactionSql;

export interface ReleaseRow {
  id: string;
  project_id: string;
  tag: string | null;
  committish: string;
  version: string | null;
  title: string;
  description: string | null;
  links: { type: string; url: string; label?: string | null }[];
  created_by: string;
  created_at: Date;
  updated_at: Date | null;
}

export interface EventRow {
  id: string;
  release_id: string;
  environment_id: string;
  status: DeploymentStatusValue;
  note: string | null;
  external_run_id: string | null;
  external_run_url: string | null;
  performed_by: string | null;
  recorded_at: Date;
}

export interface EnvironmentRef {
  id: string;
  slug: string;
  name: string;
}

/** The project (id, slug) when it is the organization's. */
export async function findProjectRef(sql: Sql, orgId: string, id: string): Promise<{ id: string; slug: string } | undefined> {
  const [row] = await sql<{ id: string; slug: string }[]>`select id, slug from projects where organization_id = ${orgId} and id = ${id}`;
  return row;
}

export async function findEnvironment(sql: Sql, orgId: string, slug: string): Promise<EnvironmentRef | undefined> {
  const [row] = await sql<EnvironmentRef[]>`select id, slug, name from environments where organization_id = ${orgId} and slug = ${slug}`;
  return row;
}

export type ReleaseValues = Pick<ReleaseRow, "tag" | "committish" | "version" | "title" | "description" | "links" | "created_by">;

export async function insertRelease(sql: Sql, id: string, projectId: string, values: ReleaseValues): Promise<void> {
  const now = new Date();
  await sql`insert into releases ${sql({
    id, project_id: projectId, ...values, links: sql.json(values.links as never), created_at: now, updated_at: now,
  } as never)}`;
}

export async function updateRelease(sql: Sql, id: string, values: Omit<ReleaseValues, "committish" | "created_by">): Promise<void> {
  await sql`update releases set ${sql({ ...values, links: sql.json(values.links as never), updated_at: new Date() } as never)} where id = ${id}`;
}

export async function findRelease(sql: Sql, projectId: string, id: string, lock = false): Promise<ReleaseRow | undefined> {
  const [row] = await sql<ReleaseRow[]>`select * from releases where project_id = ${projectId} and id = ${id} ${lock ? sql`for update` : sql``}`;
  return row;
}

/** Newest first; exact committish / tag filters. */
export function listReleases(sql: Sql, projectId: string, filter: { committish?: string; tag?: string }): Promise<ReleaseRow[]> {
  return sql<ReleaseRow[]>`select * from releases where project_id = ${projectId}
    ${filter.committish === undefined ? sql`` : sql`and committish = ${filter.committish}`}
    ${filter.tag === undefined ? sql`` : sql`and tag = ${filter.tag}`}
    order by created_at desc, id desc`;
}

export async function deleteRelease(sql: Sql, id: string): Promise<void> {
  await sql`delete from releases where id = ${id}`;
}

export async function countEvents(sql: Sql, releaseId: string): Promise<number> {
  const [row] = await sql<{ n: number }[]>`select count(*)::int as n from release_deployments where release_id = ${releaseId}`;
  return row!.n;
}

export type EventValues = Pick<EventRow, "status" | "note" | "external_run_id" | "external_run_url" | "performed_by">;

export async function insertEvent(sql: Sql, releaseId: string, environmentId: string, values: EventValues): Promise<EventRow> {
  const [row] = await sql<EventRow[]>`insert into release_deployments ${sql({ release_id: releaseId, environment_id: environmentId, ...values } as never)}
    returning *`;
  return row!;
}

/**
 * A success makes the release the project's current one in the environment (DEPLOYED_IN is
 * created when missing), unless a newer success is already recorded there.
 */
export async function advanceCurrentRelease(sql: Sql, projectId: string, environmentId: string, releaseId: string, at: Date): Promise<void> {
  await sql`insert into project_environments (project_id, environment_id, current_release_id, current_release_at)
    values (${projectId}, ${environmentId}, ${releaseId}, ${at})
    on conflict (project_id, environment_id) do update
      set current_release_id = excluded.current_release_id, current_release_at = excluded.current_release_at
      where project_environments.current_release_at is null or project_environments.current_release_at <= excluded.current_release_at`;
}

/** A release's events with their environment, by environment slug then oldest first. */
export function eventsOf(sql: Sql, releaseId: string, environmentId?: string): Promise<(EventRow & { env_slug: string; env_name: string })[]> {
  return sql<(EventRow & { env_slug: string; env_name: string })[]>`
    select d.*, e.slug as env_slug, e.name as env_name
    from release_deployments d join environments e on e.id = d.environment_id
    where d.release_id = ${releaseId} ${environmentId === undefined ? sql`` : sql`and d.environment_id = ${environmentId}`}
    order by e.slug, d.recorded_at, d.id`;
}

/** The latest event of a project's releases in one environment, with its release and its performer. */
export type LatestEventRow = EventRow & { project_id: string; performer_name: string | null; performer_email: string | null; release: ReleaseRow };

/**
 * The latest deployment event per (project, environment), for one project or for every
 * project of an organization: one query either way.
 */
export function latestEvents(sql: Sql, scope: { projectId: string } | { orgId: string }): Promise<LatestEventRow[]> {
  const where = "projectId" in scope
    ? sql`r.project_id = ${scope.projectId}`
    : sql`r.project_id in (select id from projects where organization_id = ${scope.orgId})`;
  return sql<LatestEventRow[]>`
    select l.*, u.display_name as performer_name, u.email as performer_email from (
      select distinct on (r.project_id, d.environment_id) d.*, r.project_id, to_jsonb(r) as release
      from release_deployments d join releases r on r.id = d.release_id
      where ${where}
      order by r.project_id, d.environment_id, d.recorded_at desc, d.id desc
    ) l left join users u on lower(u.email) = lower(l.performed_by)`;
}

/** The environments a project is deployed in (DEPLOYED_IN), by sort_order then name. */
export function deployedEnvironments(sql: Sql, projectId: string): Promise<EnvironmentRef[]> {
  return sql<EnvironmentRef[]>`select e.id, e.slug, e.name from project_environments pe join environments e on e.id = pe.environment_id
    where pe.project_id = ${projectId} order by e.sort_order, lower(e.name), e.name, e.slug`;
}
