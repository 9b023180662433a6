/**
 * Lexical search over search_chunks with PostgreSQL full text (english stemming), index-driven:
 *  - chunks matching the query as written (websearch syntax: quotes, OR, -word) come first,
 *    at distance 0;
 *  - then chunks holding some of the query's words, or, for a word the organization's
 *    vocabulary (search_terms) does not know, one of its words most similar to it (pg_trgm):
 *    "setlement" finds "settlement". Their distance is 1 − the share of the query's words
 *    they hold, scaled by the similarity of the weakest correction when they needed one.
 * The organization, node label, attribute and archived-project filters apply before
 * anything is ranked. One row per entity: its best chunk. full_text: the chunk holds query
 * words as typed; otherwise the hit is fuzzy (corrections only).
 */
import type { Database } from "../../../infra/postgres.ts";

/** pg_trgm similarity below which a known word is not taken as a correction (its default; a transposition such as "paymnet" scores 0.33). */
const SIMILARITY = 0.3;
const CORRECTIONS_PER_WORD = 3;
const MAX_QUERY_WORDS = 16;
/**
 * The loose pass ranks at most this many matching chunks: a query whose words (or their
 * corrections) are in a large part of the catalog costs a bounded amount, at the price of
 * ranking an arbitrary subset of its weakest matches.
 */
const MAX_LOOSE_CANDIDATES = 5000;

export interface ScopeFilter {
  organizationId: string;
  nodeLabel: string | null;
  attribute: string | null;
}

export interface LexicalHit {
  entity_type: string;
  entity_id: string;
  attribute: string;
  chunk_text: string;
  full_text: boolean;
  distance: number;
}

/** The filter every search query shares; `$2..$4` are organization, label and attribute. */
export const SCOPE_SQL = `
  c.organization_id = $2
  and ($3::text is null or c.entity_type = $3)
  and ($4::text is null or c.attribute = $4)
  and (c.project_id is null or exists (select 1 from projects p where p.id = c.project_id and not p.archived))`;

interface Correction {
  word: string;
  term: string;
  similarity: number;
}

interface QueryTerms {
  /** One to_tsquery expression per query word: the word or, when unknown, its corrections. */
  groups: string[];
  /** Any of the words as typed / any word or correction. */
  anyWord: string;
  anyTerm: string;
  /** The similarity of the least similar correction used (1: none). */
  weakest: number;
}

const quote = (term: string) => `'${term.replaceAll("'", "''").replaceAll("\\", "\\\\")}'`;

/**
 * The query's words (tsvector lexemes of the 'simple' configuration: lower case, no
 * operators, quoted when used) and, for each word the organization's vocabulary does not
 * know, its known words most similar to it.
 */
async function queryTerms(sql: Database, query: string, organizationId: string): Promise<QueryTerms | null> {
  const words = (await sql<{ word: string }[]>`
    select lexeme as word from unnest(to_tsvector('simple', ${query})) order by positions[1] limit ${MAX_QUERY_WORDS}`)
    .map((row) => row.word);
  if (!words.length) return null;
  const corrections = await sql.begin(async (tx) => {
    await tx`select set_config('pg_trgm.similarity_threshold', ${String(SIMILARITY)}, true)`;
    return tx<Correction[]>`
      select w.word, t.term, similarity(t.term, w.word)::float8 as similarity
        from unnest(${words}::text[]) w(word)
        cross join lateral (
          select term from search_terms
           where organization_id = ${organizationId} and term % w.word
             and not exists (select 1 from search_terms k where k.organization_id = ${organizationId} and k.term = w.word)
           order by similarity(term, w.word) desc, term limit ${CORRECTIONS_PER_WORD}
        ) t`;
  });
  const alternatives = (word: string) => [word, ...corrections.filter((c) => c.word === word).map((c) => c.term)];
  return {
    groups: words.map((word) => `(${alternatives(word).map(quote).join(" | ")})`),
    anyWord: words.map(quote).join(" | "),
    anyTerm: words.flatMap(alternatives).map(quote).join(" | "),
    weakest: Math.min(1, ...corrections.map((c) => c.similarity)),
  };
}

/**
 * Two passes, because every chunk matching the query as written ranks above every other:
 * the strict pass alone fills the page for common queries, and the loose pass (some words,
 * corrections) runs only when it did not, without the entities already found.
 */
export async function lexicalSearch(sql: Database, query: string, scope: ScopeFilter, limit: number): Promise<LexicalHit[]> {
  const strict = await sql.unsafe<LexicalHit[]>(`
    with q as (select websearch_to_tsquery('english', $1) as strict),
    best as (
      select distinct on (c.entity_type, c.entity_id) c.entity_type, c.entity_id, c.attribute, c.chunk_text,
             ts_rank_cd(c.tsv, q.strict) as rank
        from search_chunks c, q
       where ${SCOPE_SQL} and c.tsv @@ q.strict
       order by c.entity_type, c.entity_id, rank desc, c.attribute, c.chunk_index
    )
    select entity_type, entity_id, attribute, chunk_text, true as full_text, 0::float8 as distance
      from best order by rank desc, entity_type, entity_id limit $5`,
  [query, scope.organizationId, scope.nodeLabel, scope.attribute, limit]);
  if (strict.length >= limit) return strict;
  const terms = await queryTerms(sql, query, scope.organizationId);
  if (!terms) return strict;
  const loose = await sql.unsafe<LexicalHit[]>(`
    with q as (
      select websearch_to_tsquery('english', $1) as strict,
             to_tsquery('english', $6) as any_word,
             to_tsquery('english', $7) as any_term,
             array(select g from (select to_tsquery('english', e) as g from unnest($8::text[]) e) s where numnode(g) > 0) as groups
    ),
    candidates as (
      select c.entity_type, c.entity_id, c.attribute, c.chunk_index, c.chunk_text, c.tsv
        from search_chunks c, q
       where ${SCOPE_SQL} and c.tsv @@ q.any_term
         and not exists (
           select 1 from search_chunks s where s.entity_type = c.entity_type and s.entity_id = c.entity_id and s.tsv @@ q.strict)
       limit ${MAX_LOOSE_CANDIDATES}
    ),
    matched as (
      select c.entity_type, c.entity_id, c.attribute, c.chunk_index, c.chunk_text,
             c.tsv @@ q.any_word as word_hit,
             (select count(*) from unnest(q.groups) g where c.tsv @@ g)::float8 / greatest(cardinality(q.groups), 1) as coverage,
             ts_rank_cd(c.tsv, q.any_term) as rank
        from candidates c, q
    ),
    best as (
      select distinct on (entity_type, entity_id) entity_type, entity_id, attribute, chunk_text, word_hit, coverage, rank
        from matched
       order by entity_type, entity_id, coverage desc, rank desc, attribute, chunk_index
    )
    select entity_type, entity_id, attribute, chunk_text, word_hit as full_text,
           1 - coverage * (case when word_hit then 1 else $9::float8 end) as distance
      from best
     order by coverage desc, rank desc, entity_type, entity_id
     limit $5`, [
    query, scope.organizationId, scope.nodeLabel, scope.attribute, limit - strict.length,
    terms.anyWord, terms.anyTerm, terms.groups, terms.weakest,
  ]);
  return [...strict, ...loose];
}
