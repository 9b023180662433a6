/** Search schemas (reference-domain §16.5), plus the reasons each hit matched. */
import { t, type Static } from "elysia";

export const SearchParams = t.Object({ org_slug: t.String() });

export const SearchQuery = t.Object({
  q: t.String({ minLength: 1, maxLength: 1000, description: "What to look for: words, a phrase in quotes, or a description of it" }),
  node_label: t.Optional(t.String({ description: "Only this kind of node: Project, Document, Release, Team, …" })),
  attribute: t.Optional(t.String({ description: "Only chunks of this attribute: name, description, title, content, body" })),
  model: t.Optional(t.String({ minLength: 1, description: "Key into EMBEDDINGS_MODELS (default EMBEDDINGS_DEFAULT_MODEL)" })),
  // Numbers are parsed by the service (./params.ts): range errors then name their parameter.
  limit: t.Optional(t.String({ description: "Rows to return, 1–100 (default 10)" })),
  threshold: t.Optional(t.String({ description: "Distance ceiling, 0–2: 0 identical, 2 opposite" })),
});

export const MatchReason = t.Union([t.Literal("semantic"), t.Literal("full_text"), t.Literal("fuzzy")], {
  description: "semantic: close in meaning (vector); full_text: contains the query's words (stemmed); fuzzy: similar spelling (trigrams)",
});

export const SearchHit = t.Object({
  node_label: t.String(),
  node_id: t.String(),
  attribute: t.String(),
  chunk_text: t.String({ description: "The entity's best-matching chunk" }),
  distance: t.Number({
    description: "Cosine distance of the best chunk for semantic hits, 0 for full-text hits, "
      + "1 − the similarity of the weakest typo correction for fuzzy hits; the smallest of these when several apply",
  }),
  name: t.Optional(t.Union([t.String(), t.Null()])),
  slug: t.Optional(t.Union([t.String(), t.Null()])),
  project_id: t.Optional(t.Union([t.String(), t.Null()])),
  matched_by: t.Array(MatchReason),
});

export const ErrorBody = t.Object({ detail: t.Unknown() });

export type SearchQuery = Static<typeof SearchQuery>;
export type SearchHit = Static<typeof SearchHit>;
