/**
 * Project rows → the reference's JSON (§7.3, §7.4, §7.5 slim). Nested teams, types and
 * environments are built once per request from the catalog and shared between projects.
 */
import type { ProjectJson, ProjectListItemJson } from "./model.ts";
import type { Catalog, EdgeRow, EntityRow, ProjectRecord } from "./repo.ts";

export interface OrgRef {
  id: string;
  name: string;
  slug: string;
}

/** Keys of an environment that DEPLOYED_IN properties may not shadow (§7.3). */
export const PROTECTED_EDGE_KEYS = [
  "id", "name", "slug", "sort_order", "organization", "created_at", "updated_at", "label_color", "description", "icon",
];
/** Set by releases (a later feature), never through the project routes. */
export const RELEASE_EDGE_KEYS = ["current_release", "current_release_at"];

/** Case-insensitive name order, as the list's ORDER BY lower(name). */
const compareText = (a: unknown, b: unknown) => {
  const [x, y] = [String(a).toLowerCase(), String(b).toLowerCase()];
  return x < y ? -1 : x > y ? 1 : 0;
};

const iso = (value: unknown) => (value instanceof Date ? value.toISOString() : (value as string | null | undefined) ?? null);

/** An entity row as JSON: blueprint attributes first, then its columns, then its organization. */
function entityJson(row: EntityRow, org: OrgRef): Record<string, unknown> {
  const { attributes, organization_id: _org, created_at, updated_at, ...columns } = row;
  return { ...attributes, ...columns, created_at: iso(created_at), updated_at: iso(updated_at), organization: org };
}

/** The edge's properties as the API shows them: protected keys hidden, the current release added. */
export function edgeJson(edge: EdgeRow): Record<string, unknown> {
  const visible = Object.fromEntries(Object.entries(edge.properties).filter(([key]) => !PROTECTED_EDGE_KEYS.includes(key)));
  if (edge.current_release_id) visible.current_release = edge.current_release_id;
  if (edge.current_release_at) visible.current_release_at = new Date(edge.current_release_at).toISOString();
  return visible;
}

export class ProjectSerializer {
  readonly #teams = new Map<string, Record<string, unknown>>();
  readonly #types = new Map<string, Record<string, unknown>>();
  readonly #environments = new Map<string, Record<string, unknown>>();

  /**
   * `releases`: project id → environment id → ReleaseInfo (§7.3 current_releases), loaded once
   * per request by the releases feature; absent → `{}`.
   */
  constructor(
    private readonly catalog: Catalog, private readonly org: OrgRef, private readonly prefix: string,
    private readonly releases?: Map<string, Map<string, unknown>>,
    /** project id → the services it exists in (features/project-services). */
    private readonly services?: Map<string, unknown[]>,
  ) {}

  /** `{env_slug: ReleaseInfo}` over the environments the project is deployed in. */
  currentReleasesOf(record: ProjectRecord): Record<string, unknown> {
    const byEnv = this.releases?.get(record.id);
    if (!byEnv) return {};
    return Object.fromEntries(this.environmentsOf(record).filter(({ row }) => byEnv.has(row.id)).map(({ row }) => [row.slug, byEnv.get(row.id)]));
  }

  #cached(cache: Map<string, Record<string, unknown>>, rows: Map<string, EntityRow>, id: string) {
    let json = cache.get(id);
    if (!json) {
      const row = rows.get(id);
      json = row ? entityJson(row, this.org) : { id, name: "", slug: "", organization: this.org };
      cache.set(id, json);
    }
    return json;
  }

  /** The project's types, by name. */
  typesOf(record: ProjectRecord): EntityRow[] {
    return record.type_ids.map((id) => this.catalog.types.get(id)).filter((row) => row !== undefined)
      .sort((a, b) => compareText(a.name, b.name) || compareText(a.slug, b.slug));
  }

  /** The project's environments with their edges, by sort_order then name. */
  environmentsOf(record: ProjectRecord): { edge: EdgeRow; row: EntityRow }[] {
    return record.environments
      .map((edge) => ({ edge, row: this.catalog.environments.get(edge.environment_id) }))
      .filter((e): e is { edge: EdgeRow; row: EntityRow } => e.row !== undefined)
      .sort((a, b) => Number(a.row.sort_order) - Number(b.row.sort_order) || compareText(a.row.name, b.row.name));
  }

  full(record: ProjectRecord): ProjectJson {
    const base = `${this.prefix}/organizations/${this.org.slug}`;
    const team = this.#cached(this.#teams, this.catalog.teams, record.team_id);
    const environments = this.environmentsOf(record).map(({ edge, row }) => ({
      ...this.#cached(this.#environments, this.catalog.environments, row.id), ...edgeJson(edge),
    }) as ProjectJson["team"]);
    return {
      ...record.attributes,
      id: record.id,
      name: record.name,
      slug: record.slug,
      description: record.description,
      icon: record.icon,
      created_at: record.created_at.toISOString(),
      updated_at: iso(record.updated_at),
      archived: record.archived,
      archived_at: iso(record.archived_at),
      team: team as ProjectJson["team"],
      project_types: this.typesOf(record).map((row) => this.#cached(this.#types, this.catalog.types, row.id) as ProjectJson["team"]),
      environments,
      links: record.links,
      identifiers: record.identifiers,
      services: this.services?.get(record.id) ?? [],
      score: record.score,
      breakdown: null,
      relationships: {
        team: { href: `${base}/teams/${team.slug}`, count: 1 },
        environments: { href: `${base}/projects/${record.id}/environments`, count: environments.length },
        href: `${base}/projects/${record.id}/relationships`,
        outbound_count: record.outbound_count,
        inbound_count: record.inbound_count,
      },
      open_pr_count: 0,
      closed_pr_count: 0,
      viewer_open_pr_count: 0,
      viewer_closed_pr_count: 0,
      current_releases: this.currentReleasesOf(record),
    };
  }

  slim(record: ProjectRecord): ProjectListItemJson {
    const team = this.catalog.teams.get(record.team_id);
    return {
      id: record.id,
      name: record.name,
      slug: record.slug,
      description: record.description,
      archived: record.archived,
      score: record.score,
      team: { name: String(team?.name ?? ""), slug: String(team?.slug ?? "") },
      project_types: this.typesOf(record).map((row) => ({
        name: String(row.name), slug: row.slug, deployable: Boolean(row.deployable), releasable: Boolean(row.releasable),
      })),
      environments: this.environmentsOf(record).map(({ row }) => ({
        name: String(row.name), slug: row.slug, label_color: (row.label_color as string | null) ?? null, sort_order: Number(row.sort_order),
      })),
      open_pr_count: 0,
      closed_pr_count: 0,
      viewer_open_pr_count: 0,
      viewer_closed_pr_count: 0,
      current_releases: this.currentReleasesOf(record),
    };
  }
}
