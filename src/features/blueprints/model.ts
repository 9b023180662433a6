/**
 * Blueprint schemas (reference-domain §13.1). Bodies are checked by the service with
 * TypeBox's Value.Check (422 in the D2 shape); `json_schema` and `filter` accept an object
 * or a JSON string and are answered as JSON strings (§20.1: the SPA parses them).
 */
import { t, type Static } from "elysia";
import { Type } from "@sinclair/typebox";
import { SLUG_MAX } from "../../lib/slug.ts";

/** Entity types a node blueprint can extend. */
export const NODE_TYPES = ["Organization", "Team", "Environment", "ProjectType", "Project", "LinkDefinition"] as const;
export type NodeType = (typeof NODE_TYPES)[number];

/** The `{type}` path segment: a node type, or `relationship`. */
export const BlueprintTypeParam = t.Union([...NODE_TYPES, "relationship"].map((name) => t.Literal(name)));

const NoNul = "^[^\\u0000]*$";
const Text = (maxLength: number, minLength = 0) => Type.String({ minLength, maxLength, pattern: NoNul });
/** Relationship ends and edges: identifiers such as Project, Environment, DEPLOYED_IN. */
const Label = Type.String({ pattern: "^[A-Za-z_][A-Za-z0-9_]*$", minLength: 1, maxLength: 64 });
const nullable = <T extends ReturnType<typeof Type.String>>(schema: T) => Type.Union([schema, Type.Null()]);

export const Filter = Type.Object({
  project_type: Type.Optional(Type.Array(Text(255, 1), { maxItems: 200 })),
  environment: Type.Optional(Type.Array(Text(255, 1), { maxItems: 200 })),
}, { additionalProperties: false });
export type Filter = { project_type: string[]; environment: string[] };

/** What create takes and what a patched blueprint must still be. */
export const BlueprintInput = Type.Object({
  name: Text(255, 1),
  slug: Type.Optional(Type.String({ minLength: 1, maxLength: SLUG_MAX })),
  description: Type.Optional(nullable(Text(100_000))),
  icon: Type.Optional(nullable(Text(2048))),
  kind: Type.Optional(Type.Union([Type.Literal("node"), Type.Literal("relationship")])),
  type: Type.Optional(Type.Union([...NODE_TYPES.map((name) => Type.Literal(name)), Type.Null()])),
  source: Type.Optional(Type.Union([Label, Type.Null()])),
  target: Type.Optional(Type.Union([Label, Type.Null()])),
  edge: Type.Optional(Type.Union([Label, Type.Null()])),
  enabled: Type.Optional(Type.Boolean()),
  priority: Type.Optional(Type.Integer({ minimum: -1_000_000, maximum: 1_000_000 })),
  filter: Type.Optional(Type.Union([Filter, Type.String({ maxLength: 100_000 }), Type.Null()])),
  json_schema: Type.Union([Type.Object({}, { additionalProperties: true }), Type.String({ maxLength: 200_000 })]),
}, { additionalProperties: true });
export type BlueprintInput = Static<typeof BlueprintInput>;

export const BlueprintResponse = t.Object({
  id: t.String(),
  name: t.String(),
  slug: t.String(),
  description: t.Nullable(t.String()),
  icon: t.Nullable(t.String()),
  kind: t.String(),
  type: t.Nullable(t.String()),
  source: t.Nullable(t.String()),
  target: t.Nullable(t.String()),
  edge: t.Nullable(t.String()),
  enabled: t.Boolean(),
  priority: t.Integer(),
  filter: t.Nullable(t.String({ description: "JSON-encoded {project_type: [], environment: []}" })),
  json_schema: t.String({ description: "JSON-encoded JSON Schema (draft 2020-12)" }),
  version: t.Integer(),
  created_at: t.String(),
  updated_at: t.Nullable(t.String()),
});
export type BlueprintJson = Static<typeof BlueprintResponse>;

export const ListQuery = t.Object({ enabled: t.Optional(t.Boolean()) });
export const TypeParams = t.Object({ type: BlueprintTypeParam });
export const SlugParams = t.Object({ type: BlueprintTypeParam, slug: t.String() });

/** One `/projects/{id}/schema` section (§7.6). */
export const SchemaResponse = t.Object({
  sections: t.Array(t.Object({
    name: t.String(),
    slug: t.String(),
    description: t.Nullable(t.String()),
    scope: t.Union([t.Literal("project"), t.Literal("environment")]),
    properties: t.Record(t.String(), t.Record(t.String(), t.Unknown())),
  })),
});
