/** Document template schemas (reference-domain §12.3); slugs follow D2. */
import { t, type Static } from "elysia";
import { Type, type TSchema } from "@sinclair/typebox";
import { SLUG_MAX, SLUG_PATTERN } from "../../lib/slug.ts";

const nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

export const TEMPLATE_TYPES = ["project", "global", "user", "project_type"] as const;
const TemplateType = Type.Union(TEMPLATE_TYPES.map((type) => Type.Literal(type)));

const fields = {
  name: Type.String({ minLength: 1, maxLength: 255 }),
  slug: Type.String({ pattern: SLUG_PATTERN, minLength: 1, maxLength: SLUG_MAX }),
  description: nullable(Type.String({ maxLength: 100_000 })),
  icon: nullable(Type.String({ maxLength: 2048 })),
  title: nullable(Type.String({ maxLength: 200 })),
  content: Type.String({ maxLength: 1_000_000 }),
  type: TemplateType,
  tags: Type.Array(Type.String({ minLength: 1, maxLength: SLUG_MAX }), { maxItems: 100 }),
  project_type_slugs: Type.Array(Type.String({ minLength: 1, maxLength: SLUG_MAX }), { maxItems: 100 }),
  sort_order: Type.Integer({ minimum: -2_147_483_648, maximum: 2_147_483_647 }),
};

/** name and slug required; the rest default (content '', type project, [] lists, sort_order 0). */
export const TemplateCreate = Type.Object({
  name: fields.name,
  slug: fields.slug,
  description: Type.Optional(fields.description),
  icon: Type.Optional(fields.icon),
  title: Type.Optional(fields.title),
  content: Type.Optional(fields.content),
  type: Type.Optional(fields.type),
  tags: Type.Optional(fields.tags),
  project_type_slugs: Type.Optional(fields.project_type_slugs),
  sort_order: Type.Optional(fields.sort_order),
});
export type TemplateCreateBody = Static<typeof TemplateCreate>;

/** PUT: every field optional; only the ones given replace. */
export const TemplateUpdate = Type.Partial(TemplateCreate);

/** What PATCH operates on (strict: unknown keys are 422). */
export const TemplateDocument = Type.Object(fields, { additionalProperties: false });
export type TemplateDocumentValue = Static<typeof TemplateDocument>;

export const TemplateResponse = t.Object({
  id: t.String(),
  name: t.String(),
  slug: t.String(),
  description: t.Union([t.String(), t.Null()]),
  icon: t.Union([t.String(), t.Null()]),
  title: t.Union([t.String(), t.Null()]),
  content: t.String(),
  type: t.String(),
  tags: t.Array(t.Object({ name: t.String(), slug: t.String() })),
  project_type_slugs: t.Array(t.String()),
  sort_order: t.Integer(),
  created_at: t.String(),
  updated_at: t.Union([t.String(), t.Null()]),
  organization: t.Object({ name: t.String(), slug: t.String() }),
});
export type TemplateJson = Static<typeof TemplateResponse>;

export const ListQuery = t.Object({ project_type: t.Optional(t.String()), context: t.Optional(t.String()) });
export const OrgParams = t.Object({ org_slug: t.String() });
export const TemplateParams = t.Object({ org_slug: t.String(), slug: t.String() });
export const ErrorBody = t.Object({ detail: t.Unknown() });
