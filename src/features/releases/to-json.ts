/** Release rows → the reference's JSON (§11, §7.3 ReleaseInfo). */
import type { CurrentReleaseEnvironmentJson, DeploymentEventJson, ReleaseEnvironmentEdgeJson, ReleaseJson } from "./model.ts";
import type { EnvironmentRef, EventRow, LatestEventRow, ReleaseRow } from "./repo.ts";

/** A Date, or a timestamp as jsonb renders it, as ISO 8601 UTC. */
const iso = (value: Date | string) => new Date(value).toISOString();

export function releaseJson(row: ReleaseRow): ReleaseJson {
  return {
    id: row.id,
    project_id: row.project_id,
    tag: row.tag,
    committish: row.committish,
    version: row.version,
    title: row.title,
    description: row.description,
    links: row.links,
    created_at: iso(row.created_at),
    updated_at: row.updated_at === null ? null : iso(row.updated_at),
    created_by: row.created_by,
  };
}

export function eventJson(row: EventRow): DeploymentEventJson {
  return {
    timestamp: iso(row.recorded_at), status: row.status, note: row.note,
    external_run_id: row.external_run_id, external_run_url: row.external_run_url, performed_by: row.performed_by,
  };
}

/** One environment's history of a release (events oldest first). */
export function edgeJson(environment: { slug: string; name: string }, events: EventRow[]): ReleaseEnvironmentEdgeJson {
  return {
    environment: { slug: environment.slug, name: environment.name },
    deployments: events.map(eventJson),
    current_status: events.at(-1)?.status ?? null,
  };
}

/** A user's display name, else the recorded performer (a service account, a remote login). */
const performerName = (row: LatestEventRow) => row.performer_name ?? row.performed_by;

export function currentJson(environment: EnvironmentRef, latest: LatestEventRow | undefined): CurrentReleaseEnvironmentJson {
  return {
    environment: { slug: environment.slug, name: environment.name },
    release: latest ? releaseJson(latest.release) : null,
    current_status: latest?.status ?? null,
    last_event_at: latest ? iso(latest.recorded_at) : null,
    external_run_url: latest?.external_run_url ?? null,
    ci_status: null,
    performed_by: latest ? performerName(latest) : null,
    performed_by_email: latest?.performer_email ?? null,
  };
}

/** §7.3 ReleaseInfo: the release whose latest event in the environment is newest. */
export interface ReleaseInfo {
  deployed_at: string;
  performed_by: string | null;
  tag: string | null;
  committish: string | null;
}

export function releaseInfo(row: LatestEventRow): ReleaseInfo {
  return { deployed_at: iso(row.recorded_at), performed_by: performerName(row), tag: row.release.tag, committish: row.release.committish };
}
