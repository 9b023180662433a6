import { t, type Static } from "elysia";

export const DependencyState = t.Object({
  status: t.Union([t.Literal("ok"), t.Literal("error"), t.Literal("disabled")]),
  latency_ms: t.Optional(t.Number({ description: "Round-trip time of the last check" })),
});

export const StatusResponse = t.Object({
  service: t.Literal("imbi"),
  status: t.Union([t.Literal("ok"), t.Literal("degraded"), t.Literal("error")], {
    description: "error: PostgreSQL is unreachable (HTTP 503); degraded: an optional dependency is down",
  }),
  version: t.String(),
  environment: t.String(),
  dependencies: t.Record(t.String(), DependencyState),
});

export type DependencyState = Static<typeof DependencyState>;
export type StatusResponse = Static<typeof StatusResponse>;
