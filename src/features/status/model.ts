import { t, type Static } from "elysia";

export const DependencyState = t.Object({
  status: t.Union([t.Literal("ok"), t.Literal("error"), t.Literal("disabled")]),
  latency_ms: t.Optional(t.Number({ description: "Round-trip time of the last check" })),
});

/** How search answers right now (features/search/runtime.ts). */
export const SearchState = t.Object({
  mode: t.Union([t.Literal("hybrid"), t.Literal("lexical")]),
  embeddings: t.Union([t.Literal("disabled"), t.Literal("loading"), t.Literal("ready"), t.Literal("unavailable")]),
  vector_store: t.Union([t.Literal("unchecked"), t.Literal("available"), t.Literal("unavailable")]),
  detail: t.Union([t.String(), t.Null()], { description: "Why search is lexical only, when it is" }),
});

export const StatusResponse = t.Object({
  service: t.Literal("imbi"),
  status: t.Union([t.Literal("ok"), t.Literal("degraded"), t.Literal("error")], {
    description: "error: PostgreSQL is unreachable (HTTP 503); degraded: an optional dependency is down",
  }),
  version: t.String(),
  environment: t.String(),
  dependencies: t.Record(t.String(), DependencyState),
  search: t.Optional(SearchState),
});

export type DependencyState = Static<typeof DependencyState>;
export type StatusResponse = Static<typeof StatusResponse>;
export type SearchState = Static<typeof SearchState>;
