/**
 * Checks a project document against the rest of the catalog before it is written: the
 * owning team, the project types and the environments must be the organization's (422
 * naming every unknown one at once), links must be http(s) URLs. The referenced rows are
 * locked (FOR KEY SHARE) so they cannot be deleted before the transaction commits.
 */
import type { Sql } from "./repo.ts";
import { UnprocessableError, type ValidationDetail } from "../../http/errors.ts";
import { lockBySlugs } from "./repo.ts";
import { PROTECTED_EDGE_KEYS, RELEASE_EDGE_KEYS, type OrgRef } from "./to-json.ts";

export interface ProjectInput {
  team_slug: string;
  project_type_slugs: string[];
  environments: Record<string, Record<string, unknown>>;
  links: Record<string, string>;
}

export interface ResolvedReferences {
  teamId: string;
  typeIds: string[];
  /** environment id → DEPLOYED_IN properties to store */
  environments: Map<string, Record<string, unknown>>;
  /** links with normalized URLs */
  links: Record<string, string>;
}

/** `[1, 1, 2]` → `[1, 2]`, first occurrence wins. */
export const dedupe = <T>(values: T[]): T[] => [...new Set(values)];

/** Whether a DEPLOYED_IN property is stored: not an environment column, not release state. */
export const isStoredEdgeKey = (key: string) => !PROTECTED_EDGE_KEYS.includes(key) && !RELEASE_EDGE_KEYS.includes(key);

/** The properties an edge stores: unstorable keys dropped, and `null` means absent (as in the reference). */
export const storedEdgeProperties = (properties: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(properties).filter(([key, value]) => value !== null && isStoredEdgeKey(key)));

/** http(s) URLs, normalized as the reference's HttpUrl does (`https://a.io` → `https://a.io/`). */
export function normalizeLinks(links: Record<string, string>): { links: Record<string, string>; problems: ValidationDetail[] } {
  const problems: ValidationDetail[] = [];
  const normalized: [string, string][] = [];
  for (const [key, value] of Object.entries(links)) {
    const url = URL.canParse(value) ? new URL(value) : undefined;
    if (!url || !["http:", "https:"].includes(url.protocol) || !url.hostname) {
      problems.push({ type: "url_parsing", loc: ["body", "links", key], msg: "Input should be a valid http(s) URL", input: value });
    } else {
      normalized.push([key, url.href]);
    }
  }
  // fromEntries defines own properties: a key such as "__proto__" is kept as data.
  return { links: Object.fromEntries(normalized), problems };
}

export async function resolveReferences(tx: Sql, org: OrgRef, input: ProjectInput): Promise<ResolvedReferences> {
  const typeSlugs = dedupe(input.project_type_slugs);
  const envSlugs = Object.keys(input.environments);
  const [teams, types, environments] = await Promise.all([
    lockBySlugs(tx, "teams", org.id, [input.team_slug]),
    lockBySlugs(tx, "project_types", org.id, typeSlugs),
    lockBySlugs(tx, "environments", org.id, envSlugs),
  ]);
  const { links, problems } = normalizeLinks(input.links);
  const teamId = teams.get(input.team_slug);
  if (!teamId) {
    problems.push({ type: "value_error", loc: ["body", "team_slug"], msg: `Team '${input.team_slug}' not found in organization '${org.slug}'`, input: input.team_slug });
  }
  const unknownTypes = typeSlugs.filter((slug) => !types.has(slug));
  if (unknownTypes.length) {
    problems.push({ type: "value_error", loc: ["body", "project_type_slugs"], msg: `Project type slug(s) not found: ${JSON.stringify(unknownTypes)}`, input: unknownTypes });
  }
  const unknownEnvs = envSlugs.filter((slug) => !environments.has(slug));
  if (unknownEnvs.length) {
    problems.push({ type: "value_error", loc: ["body", "environments"], msg: `Environment slug(s) not found: ${JSON.stringify(unknownEnvs)}`, input: unknownEnvs });
  }
  if (problems.length) throw new UnprocessableError(problems);
  const edges = new Map(envSlugs.map((slug) => [
    environments.get(slug)!,
    storedEdgeProperties(input.environments[slug]!),
  ]));
  return { teamId: teamId!, typeIds: typeSlugs.map((slug) => types.get(slug)!), environments: edges, links };
}
