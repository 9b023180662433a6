/**
 * Release schemas (reference-domain §11). Request bodies are checked by the service with
 * TypeBox's strict Value.Check (extra keys → 422), as the projects feature does; the route
 * declares them for the OpenAPI document.
 */
import { t, type Static } from "elysia";
import type { TSchema } from "@sinclair/typebox";

const nullable = <T extends TSchema>(schema: T) => t.Union([schema, t.Null()]);

export const DEPLOYMENT_STATUSES = ["pending", "in_progress", "success", "failed", "rolled_back"] as const;
export const DeploymentStatus = t.Union([
  t.Literal("pending"), t.Literal("in_progress"), t.Literal("success"), t.Literal("failed"), t.Literal("rolled_back"),
]);
export type DeploymentStatusValue = (typeof DEPLOYMENT_STATUSES)[number];

export const ReleaseLink = t.Object({
  type: t.String({ minLength: 1, maxLength: 100 }),
  url: t.String({ minLength: 1, maxLength: 2048 }),
  label: t.Optional(nullable(t.String({ maxLength: 500 }))),
}, { additionalProperties: false });
export type ReleaseLinkValue = Static<typeof ReleaseLink>;

/** A commit SHA, short (7) to full (40), lowercase hex. */
export const COMMITTISH_PATTERN = "^[0-9a-f]{7,40}$";

export const ReleaseCreate = t.Object({
  tag: t.Optional(nullable(t.String({ minLength: 1, maxLength: 256 }))),
  committish: t.String({ pattern: COMMITTISH_PATTERN }),
  title: t.String({ minLength: 1, maxLength: 500 }),
  description: t.Optional(nullable(t.String({ maxLength: 100_000 }))),
  links: t.Optional(t.Array(ReleaseLink, { maxItems: 100 })),
  created_by: t.Optional(t.String({ minLength: 1, maxLength: 320 })),
}, { additionalProperties: false });
export type ReleaseCreateBody = Static<typeof ReleaseCreate>;

/** What PATCH operates on (§11): the other fields are read-only. */
export const ReleaseDocument = t.Object({
  tag: nullable(t.String({ minLength: 1, maxLength: 256 })),
  title: t.String({ minLength: 1, maxLength: 500 }),
  description: nullable(t.String({ maxLength: 100_000 })),
  links: t.Array(ReleaseLink, { maxItems: 100 }),
}, { additionalProperties: false });
export type ReleaseDocumentValue = Static<typeof ReleaseDocument>;

export const DeploymentCreate = t.Object({
  status: DeploymentStatus,
  note: t.Optional(nullable(t.String({ maxLength: 10_000 }))),
  external_run_id: t.Optional(nullable(t.String({ minLength: 1, maxLength: 500 }))),
  external_run_url: t.Optional(nullable(t.String({ minLength: 1, maxLength: 2048 }))),
  performed_by: t.Optional(nullable(t.String({ minLength: 1, maxLength: 320 }))),
}, { additionalProperties: false });
export type DeploymentCreateBody = Static<typeof DeploymentCreate>;

export const ReleaseResponse = t.Object({
  id: t.String(),
  project_id: t.String(),
  tag: nullable(t.String()),
  committish: nullable(t.String()),
  version: nullable(t.String({ description: "The tag checked (and, for semver, without its leading v) under IMBI_RELEASES_VERSION_FORMAT" })),
  title: t.String(),
  description: nullable(t.String()),
  links: t.Array(t.Object({ type: t.String(), url: t.String(), label: t.Optional(nullable(t.String())) })),
  created_at: t.String(),
  updated_at: nullable(t.String()),
  created_by: t.String(),
});
export type ReleaseJson = Static<typeof ReleaseResponse>;

export const DeploymentEvent = t.Object({
  timestamp: t.String(),
  status: DeploymentStatus,
  note: nullable(t.String()),
  external_run_id: nullable(t.String()),
  external_run_url: nullable(t.String()),
  performed_by: nullable(t.String()),
});
export type DeploymentEventJson = Static<typeof DeploymentEvent>;

const EnvironmentRef = t.Object({ slug: t.String(), name: t.String() });

export const ReleaseEnvironmentEdge = t.Object({
  environment: EnvironmentRef,
  deployments: t.Array(DeploymentEvent),
  current_status: nullable(DeploymentStatus),
});
export type ReleaseEnvironmentEdgeJson = Static<typeof ReleaseEnvironmentEdge>;

export const CurrentReleaseEnvironment = t.Object({
  environment: EnvironmentRef,
  release: nullable(ReleaseResponse),
  current_status: nullable(DeploymentStatus),
  last_event_at: nullable(t.String()),
  external_run_url: nullable(t.String()),
  ci_status: nullable(t.Union([t.Literal("pass"), t.Literal("fail"), t.Literal("warn")])),
  performed_by: nullable(t.String()),
  performed_by_email: nullable(t.String()),
});
export type CurrentReleaseEnvironmentJson = Static<typeof CurrentReleaseEnvironment>;

export const ListQuery = t.Object({ committish: t.Optional(t.String()), tag: t.Optional(t.String()) });
export const ProjectParams = t.Object({ org_slug: t.String(), project_id: t.String() });
export const ReleaseParams = t.Object({ org_slug: t.String(), project_id: t.String(), release_id: t.String() });
export const ReleaseEnvParams = t.Object({ org_slug: t.String(), project_id: t.String(), release_id: t.String(), env_slug: t.String() });
export const ErrorBody = t.Object({ detail: t.Unknown() });
