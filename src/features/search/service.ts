/**
 * GET /organizations/{org}/search: lexical search always, vector search when the model and
 * pgvector are ready, fused by reciprocal rank. Everything is scoped to the organization in
 * the SQL that selects candidates (before ranking) and checked again against the live rows
 * when hits are enriched, so nothing from another organization can appear.
 */
import type { Database } from "../../infra/postgres.ts";
import type { Logger } from "../../infra/logger.ts";
import { errorMessage } from "../../infra/retry.ts";
import { NotFoundError, UnprocessableError } from "../../http/errors.ts";
import { ENTITY_TYPES, entityType } from "./entities.ts";
import { fuseByRank, type FusedHit, type RankedHit } from "./fusion.ts";
import { lexicalSearch, type ScopeFilter } from "./repo/lexical.ts";
import { nearestChunks, type VectorHit } from "./repo/vector-search.ts";
import { loadDetails, type EntityDetails } from "./repo/enrich.ts";
import type { SearchRuntime } from "./runtime.ts";
import { parseLimit, parseThreshold } from "./params.ts";
import type { SearchHit, SearchQuery } from "./model.ts";

export interface SearchDeps {
  sql: Database;
  logger: Logger;
  runtime: SearchRuntime;
}

/** Candidates per list: fusion and enrichment need more than the page. */
const MIN_CANDIDATES = 50;
/** The vector query doubles its depth until it has enough distinct entities, up to this many chunks. */
const MAX_VECTOR_CHUNKS = 6400;

const keyOf = (hit: { entity_type: string; entity_id: string }) => `${hit.entity_type}:${hit.entity_id}`;

async function organizationId(sql: Database, slug: string): Promise<string> {
  const [org] = await sql<{ id: string }[]>`select id from organizations where slug = ${slug}`;
  if (!org) throw new NotFoundError(`Organization with slug '${slug}' not found`);
  return org.id;
}

function modelKey(runtime: SearchRuntime, requested: string | undefined): string {
  const key = requested ?? runtime.defaultModel;
  if (!runtime.modelKeys.includes(key)) {
    throw new UnprocessableError([{
      type: "enum", loc: ["query", "model"], msg: `Input should be one of: ${runtime.modelKeys.join(", ")}`, input: key,
    }]);
  }
  return key;
}

/** Nearest chunks, grown ×2 (as the reference does) until `wanted` distinct entities or exhaustion; best chunk each. */
async function vectorHits(deps: SearchDeps, key: string, query: string, scope: ScopeFilter, wanted: number, threshold: number | null): Promise<RankedHit[]> {
  const model = deps.runtime.readyModel(key);
  if (!model || !query.trim()) return [];
  let vector: Float32Array;
  try {
    [vector] = (await model.embedder.embed([query])) as [Float32Array];
  } catch (error) {
    deps.logger.warn({ err: errorMessage(error), model: model.modelId }, "embedding the search query failed; answering lexically");
    return [];
  }
  // A query of words the model has no vector for has no direction to compare (cosine of a zero vector is NaN).
  if (vector.every((v) => v === 0)) return [];
  let depth = wanted;
  let chunks: VectorHit[];
  const best = new Map<string, VectorHit>();
  do {
    chunks = await nearestChunks(deps.sql, model.table, vector, scope, depth, threshold);
    best.clear();
    for (const chunk of chunks) if (!best.has(keyOf(chunk))) best.set(keyOf(chunk), chunk);
    depth *= 2;
  } while (best.size < wanted && chunks.length === depth / 2 && depth <= MAX_VECTOR_CHUNKS);
  return [...best.values()].map((hit) => ({ ...hit, key: keyOf(hit), reasons: ["semantic"] }));
}

async function lexicalHits(sql: Database, query: string, scope: ScopeFilter, wanted: number, threshold: number | null): Promise<RankedHit[]> {
  const hits = await lexicalSearch(sql, query, scope, wanted);
  return hits
    .map((hit): RankedHit => ({
      key: keyOf(hit), entity_type: hit.entity_type, entity_id: hit.entity_id, attribute: hit.attribute,
      chunk_text: hit.chunk_text, distance: hit.distance, reasons: [hit.full_text ? "full_text" : "fuzzy"],
    }))
    .filter((hit) => threshold === null || hit.distance <= threshold);
}

async function enrich(sql: Database, hits: FusedHit[], organization: string, limit: number): Promise<SearchHit[]> {
  const details = new Map<string, EntityDetails>();
  await Promise.all(ENTITY_TYPES.map(async (type) => {
    const ids = hits.filter((hit) => hit.entity_type === type.label).map((hit) => hit.entity_id);
    for (const row of await loadDetails(sql, type, ids, organization)) details.set(`${type.label}:${row.id}`, row);
  }));
  const rows: SearchHit[] = [];
  for (const hit of hits) {
    const found = details.get(hit.key);
    if (!found) continue;
    // project_id is the parent project (documents, releases, comments), not a project's own id.
    const parentProject = hit.entity_type === "Project" ? null : found.project_id;
    rows.push({
      node_label: hit.entity_type, node_id: found.node_id, attribute: hit.attribute, chunk_text: hit.chunk_text,
      distance: hit.distance, name: found.name, slug: found.slug, project_id: parentProject, matched_by: hit.reasons,
    });
    if (rows.length === limit) break;
  }
  return rows;
}

export async function search(deps: SearchDeps, orgSlug: string, query: SearchQuery): Promise<SearchHit[]> {
  const limit = parseLimit(query.limit);
  const threshold = parseThreshold(query.threshold);
  const organization = await organizationId(deps.sql, orgSlug);
  const key = modelKey(deps.runtime, query.model);
  const scope: ScopeFilter = { organizationId: organization, nodeLabel: query.node_label ?? null, attribute: query.attribute ?? null };
  // An unknown label has no rows: answer at once instead of scanning.
  if (scope.nodeLabel !== null && !entityType(scope.nodeLabel)) return [];
  const wanted = Math.max(MIN_CANDIDATES, limit * 2);
  const [lexical, semantic] = await Promise.all([
    lexicalHits(deps.sql, query.q, scope, wanted, threshold),
    vectorHits(deps, key, query.q, scope, wanted, threshold),
  ]);
  return enrich(deps.sql, fuseByRank([lexical, semantic]), organization, limit);
}
