/**
 * GET /organizations/{org_slug}/search (reference-domain §16.5): permission search:read in
 * the organization of the path (D2). The MCP search tool calls the same service.
 */
import { Elysia, t } from "elysia";
import type { AppContext } from "../../context.ts";
import { ErrorBody, SearchHit, SearchParams, SearchQuery } from "./model.ts";
import { search, type SearchDeps } from "./service.ts";
import type { SearchRuntime } from "./runtime.ts";

const errors = { 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 422: ErrorBody };

export function searchRoutes(ctx: AppContext, runtime: SearchRuntime) {
  const deps: SearchDeps = { sql: ctx.infra.sql, logger: ctx.logger, runtime };
  return new Elysia({ name: "imbi.search", prefix: "/organizations/:org_slug/search" })
    .use(ctx.auth)
    .get("", ({ params, query }) => search(deps, params.org_slug, query), {
      permission: "search:read", params: SearchParams, query: SearchQuery,
      response: { 200: t.Array(SearchHit), ...errors },
      detail: {
        tags: ["Search"],
        summary: "Search the organization's catalog by meaning and by words",
        description: "One row per entity (its best chunk), best first: vector and lexical results fused by reciprocal rank "
          + "when embeddings are available, lexical (full text + typo-tolerant trigrams) otherwise. `matched_by` says why each row matched.",
      },
    });
}
