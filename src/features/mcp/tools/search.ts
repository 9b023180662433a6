/**
 * search_catalog: the search service (features/search: lexical, plus vectors when embeddings
 * are ready) behind GET /organizations/{org_slug}/search, under the same permission,
 * search:read in the organization searched (D2). Without an organization it searches every
 * organization where the caller holds search:read and interleaves their rankings (first
 * hit of each, then the second, …): each organization's order is kept, and hits of
 * different organizations are never compared by a score that was not made to compare them.
 */
import { Type } from "@sinclair/typebox";
import { hasPermission, type Principal } from "../../auth/principal.ts";
import { search } from "../../search/service.ts";
import type { SearchHit } from "../../search/model.ts";
import { allOrganizationSlugs } from "../search-scope-repo.ts";
import { defineTool, readOnly, requirePermission, type Caller, type ToolDeps } from "../tool.ts";
import { OrgSlug } from "./args.ts";

const PERMISSION = "search:read";
const DEFAULT_LIMIT = 10;

async function searchableOrganizations(deps: ToolDeps, caller: Caller, organization?: string): Promise<string[]> {
  if (organization !== undefined) {
    requirePermission(deps, caller, PERMISSION, organization);
    return [organization];
  }
  const { principal } = caller;
  const slugs = isSystemAdmin(principal) ? await allOrganizationSlugs(deps.sql) : [...principal.permissionsByOrg.keys()].sort();
  const searchable = slugs.filter((slug) => hasPermission(principal, PERMISSION, slug));
  // Searchable nowhere: refused (and recorded) as the route refuses a caller without search:read.
  if (!searchable.length) requirePermission(deps, caller, PERMISSION);
  return searchable;
}

const isSystemAdmin = (principal: Principal) => principal.kind === "user" && principal.isAdmin;

/** Rank 1 of every list, then rank 2, …, up to `limit`. */
function interleave<T>(lists: T[][], limit: number): T[] {
  const merged: T[] = [];
  for (let rank = 0; merged.length < limit && lists.some((list) => rank < list.length); rank++) {
    for (const list of lists) if (rank < list.length && merged.length < limit) merged.push(list[rank]!);
  }
  return merged;
}

export const searchTools = [
  defineTool({
    name: "search_catalog",
    description: "Search the catalog by meaning and by words: projects, documents, releases, teams, environments, "
      + "project types, comments… Best matches first, each with the chunk that matched and why (matched_by). "
      + "Give an organization to search only there; otherwise every organization the caller may search is searched.",
    input: Type.Object({
      query: Type.String({ minLength: 1, maxLength: 1000, pattern: "\\S", description: "Words, a phrase in quotes, or a description of what you look for" }),
      organization: Type.Optional(OrgSlug),
      node_label: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: "Only this kind: Project, Document, Release, Team, Environment, ProjectType, …" })),
      limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, description: `Most results to return (default ${DEFAULT_LIMIT})` })),
    }, { additionalProperties: false }),
    annotations: readOnly("Search the catalog"),
    async run(deps, caller, args) {
      const organizations = await searchableOrganizations(deps, caller, args.organization);
      const limit = args.limit ?? DEFAULT_LIMIT;
      const query = { q: args.query, node_label: args.node_label, limit: String(limit) };
      const searchDeps = { sql: deps.sql, logger: deps.logger, runtime: deps.search };
      const lists = await Promise.all(organizations.map(async (organization) =>
        (await search(searchDeps, organization, query)).map((hit): SearchHit & { organization: string } => ({ ...hit, organization }))));
      return { results: interleave(lists, limit) };
    },
  }),
];
