/**
 * Project services (reference-domain §10.2): the EXISTS_IN edge between a project and an
 * integration of its organization. Bodies are re-checked by the service with TypeBox's
 * strict Value.Check (extra keys → 422, D2).
 */
import { t, type Static } from "elysia";
import type { TSchema } from "@sinclair/typebox";

const nullable = <T extends TSchema>(schema: T) => t.Union([schema, t.Null()]);

export const ExistsInCreate = t.Object({
  integration_slug: t.String({ minLength: 1, maxLength: 255 }),
  identifier: t.String({ minLength: 1, maxLength: 1024, description: "The project's id in the integration (e.g. a repository id)" }),
  canonical_url: t.Optional(nullable(t.String({ maxLength: 2048 }))),
  dashboard_url: t.Optional(nullable(t.String({
    maxLength: 2048, description: "An http(s) URL kept in the project's links under the integration slug; empty or null removes it",
  }))),
}, { additionalProperties: false });
export type ExistsInCreateBody = Static<typeof ExistsInCreate>;

export const ExistsInResponse = t.Object({
  integration_slug: t.String(),
  integration_name: t.String(),
  identifier: t.String(),
  canonical_url: nullable(t.String()),
  dashboard_url: nullable(t.String()),
});
export type ExistsInJson = Static<typeof ExistsInResponse>;

export const ProjectParams = t.Object({ org_slug: t.String(), project_id: t.String() });
export const ServiceParams = t.Object({ org_slug: t.String(), project_id: t.String(), service_slug: t.String() });
export const ErrorBody = t.Object({ detail: t.Unknown() });
