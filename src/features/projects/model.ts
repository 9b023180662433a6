/**
 * Project schemas (reference-domain §7): the create body, the patchable document, list
 * queries and the responses. Responses stay open (`additionalProperties`) because
 * blueprint attributes appear at the top level and nested entities carry their own.
 */
import { t, type Static } from "elysia";
import type { TSchema } from "@sinclair/typebox";
import { SLUG_MAX, SLUG_PATTERN } from "../../lib/slug.ts";

export const Slug = t.String({ pattern: SLUG_PATTERN, minLength: 1, maxLength: SLUG_MAX });
/** A reference to another entity by slug: looked up, so an unknown one is a 422 naming it. */
const SlugRef = t.String({ minLength: 1, maxLength: 255 });
const Name = t.String({ minLength: 1, maxLength: 255 });
const Text = t.Nullable(t.String({ maxLength: 100_000 }));
const Icon = t.Nullable(t.String({ maxLength: 2048 }));
/**
 * A map with keys of 1..255 characters. Other keys are refused only with
 * additionalProperties: false, which Elysia's own body check ignores (it also lets arrays
 * through): services re-check bodies with TypeBox's Value.Check (checkBody).
 */
const record = <T extends TSchema>(value: T, maxProperties: number) =>
  t.Record(t.String({ pattern: "^[\\s\\S]{1,255}$" }), value, { additionalProperties: false, maxProperties });

/** `{key: http(s) URL}`; the URL is checked (and normalized) by the service. */
export const Links = record(t.String({ minLength: 1, maxLength: 2048, pattern: "^[Hh][Tt][Tt][Pp][Ss]?://" }), 200);
/** Integers stay exact through JSON: the safe range only. */
const SafeInteger = t.Integer({ minimum: Number.MIN_SAFE_INTEGER, maximum: Number.MAX_SAFE_INTEGER });
export const Identifiers = record(t.Union([SafeInteger, t.String({ maxLength: 2048 })]), 200);
/** DEPLOYED_IN edge properties: any JSON values under string keys. */
export const EdgeProperties = record(t.Unknown(), 200);
export const Environments = record(EdgeProperties, 500);
export const ProjectTypeSlugs = t.Array(SlugRef, { minItems: 1, maxItems: 100 });

/** POST body (§7.2). Unknown keys are dropped until blueprints extend the model. */
export const ProjectCreate = t.Object({
  name: Name,
  slug: Slug,
  description: t.Optional(Text),
  icon: t.Optional(Icon),
  team_slug: SlugRef,
  project_type_slugs: ProjectTypeSlugs,
  environments: t.Optional(Environments),
  links: t.Optional(Links),
  identifiers: t.Optional(Identifiers),
});
export type ProjectCreate = Static<typeof ProjectCreate>;

/** The document JSON Patch applies to (§7.8); every key is required once patched. */
export const ProjectDocument = t.Object({
  name: Name,
  slug: Slug,
  description: Text,
  icon: Icon,
  team_slug: SlugRef,
  project_type_slugs: ProjectTypeSlugs,
  environments: Environments,
  links: Links,
  identifiers: Identifiers,
});
export type ProjectDocument = Static<typeof ProjectDocument>;

export const OrgParams = t.Object({ org_slug: t.String() });
export const ProjectParams = t.Object({ org_slug: t.String(), project_id: t.String() });
export const EnvironmentParams = t.Object({ org_slug: t.String(), project_id: t.String(), env_slug: t.String() });
export const TargetParams = t.Object({ org_slug: t.String(), project_id: t.String(), target_id: t.String() });

export const ListQuery = t.Object({
  project_type: t.Optional(t.String({ maxLength: 255 })),
  /** The spelling of the reference's project-type hrefs. */
  "project-type": t.Optional(t.String({ maxLength: 255 })),
  team: t.Optional(t.String({ maxLength: 255 })),
  environment: t.Optional(t.String({ maxLength: 255 })),
  include_archived: t.Boolean({ default: false }),
  slim: t.Boolean({ default: false }),
  integration_slug: t.Optional(t.String({ maxLength: 255 })),
  identifier: t.Optional(t.String({ maxLength: 1024 })),
  filter: t.Optional(t.Union([t.String({ maxLength: 1024 }), t.Array(t.String({ maxLength: 1024 }), { maxItems: 50 })])),
});
export type ListQuery = Static<typeof ListQuery>;

export const DeleteQuery = t.Object({ delete_repository: t.Boolean({ default: true }) });
export const PatchQuery = t.Object({ transfer_repository: t.Boolean({ default: false }) });
export const GetQuery = t.Object({ breakdown: t.Boolean({ default: false }) });
/** `depth` is parsed by the service (1..10, default 3) so a bad value is located at query.depth. */
export const DependenciesQuery = t.Object({ depth: t.Optional(t.String({ maxLength: 20 })) });

const Link = t.Object({ href: t.String(), count: t.Integer() });
const Open = { additionalProperties: true } as const;
const Ref = t.Object({ id: t.String(), name: t.String(), slug: t.String() }, Open);

export const ProjectResponse = t.Object({
  id: t.String(),
  name: t.String(),
  slug: t.String(),
  description: t.Nullable(t.String()),
  icon: t.Nullable(t.String()),
  created_at: t.String(),
  updated_at: t.Nullable(t.String()),
  archived: t.Boolean(),
  archived_at: t.Nullable(t.String()),
  team: Ref,
  project_types: t.Array(Ref),
  environments: t.Array(Ref),
  links: t.Record(t.String(), t.String()),
  identifiers: t.Record(t.String(), t.Union([t.Integer(), t.String()])),
  services: t.Array(t.Unknown()),
  score: t.Nullable(t.Number()),
  /** The live score breakdown (scoring is a later feature: always null). */
  breakdown: t.Unknown(),
  relationships: t.Object({
    team: Link, environments: Link, href: t.String(), outbound_count: t.Integer(), inbound_count: t.Integer(),
  }),
  open_pr_count: t.Integer(),
  closed_pr_count: t.Integer(),
  viewer_open_pr_count: t.Integer(),
  viewer_closed_pr_count: t.Integer(),
  current_releases: t.Record(t.String(), t.Unknown()),
}, Open);

export type ProjectJson = Static<typeof ProjectResponse>;

export const LifecycleResult = t.Object({
  integration_id: t.String(), plugin_slug: t.String(), status: t.String(),
  message: t.Optional(t.Nullable(t.String())), artifacts: t.Record(t.String(), t.Unknown()),
});
export const ProjectMutationResponse = t.Composite([ProjectResponse, t.Object({ lifecycle_results: t.Array(LifecycleResult) })], Open);

export const ProjectListItem = t.Object({
  id: t.String(),
  name: t.String(),
  slug: t.String(),
  description: t.Nullable(t.String()),
  archived: t.Boolean(),
  score: t.Nullable(t.Number()),
  team: t.Object({ name: t.String(), slug: t.String() }),
  project_types: t.Array(t.Object({ name: t.String(), slug: t.String(), deployable: t.Boolean(), releasable: t.Boolean() })),
  environments: t.Array(t.Object({ name: t.String(), slug: t.String(), label_color: t.Nullable(t.String()), sort_order: t.Integer() })),
  open_pr_count: t.Integer(),
  closed_pr_count: t.Integer(),
  viewer_open_pr_count: t.Integer(),
  viewer_closed_pr_count: t.Integer(),
  current_releases: t.Record(t.String(), t.Unknown()),
});

export type ProjectListItemJson = Static<typeof ProjectListItem>;

export const DeleteResponse = t.Object({ lifecycle_results: t.Array(LifecycleResult) });

export const RelationshipsResponse = t.Object({
  relationships: t.Array(t.Object({
    direction: t.Union([t.Literal("inbound"), t.Literal("outbound")]),
    type: t.Literal("depends_on"),
    project: t.Object({
      id: t.String(), name: t.String(), slug: t.String(), namespace: t.String(),
      project_type: t.Nullable(t.String()), project_type_icon: t.Nullable(t.String()), deprecated: t.Boolean(),
    }),
  })),
});

export const DependencyNode = t.Object({
  id: t.String(),
  name: t.String(),
  slug: t.String(),
  archived: t.Boolean(),
  /** Shortest distance from the project (1 = a direct dependency). */
  depth: t.Integer(),
  /** Ids of listed projects (or the root) this one depends on. */
  depends_on: t.Array(t.String()),
});
export type DependencyNode = Static<typeof DependencyNode>;

export const DependenciesResponse = t.Object({
  project: t.Object({ id: t.String(), name: t.String(), slug: t.String() }),
  depth: t.Integer(),
  dependencies: t.Array(DependencyNode),
  /** Some project at the last level depends on projects beyond `depth`. */
  truncated: t.Boolean(),
});

export const ErrorBody = t.Object({ detail: t.Unknown() });
