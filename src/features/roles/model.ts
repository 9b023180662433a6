/** Roles and permissions: request and response schemas (reference-auth §12.5). */
import { t, type Static } from "elysia";
import { Type } from "@sinclair/typebox";
import { ServiceAccountResponse } from "../service-accounts/model.ts";

/** Free text stored in PostgreSQL: a NUL character would make the database refuse the write. */
const TEXT = "^[^\\u0000]*$";
const Timestamp = t.String({ format: "date-time" });

export const RoleSlug = t.String({ pattern: "^[a-z0-9][a-z0-9_-]*$", minLength: 1, maxLength: 64, description: "D2 slug" });
const Name = t.String({ minLength: 1, maxLength: 128, pattern: TEXT });
const Description = t.Nullable(t.String({ maxLength: 4096, pattern: TEXT }));
const Icon = t.Nullable(t.String({ maxLength: 2048, pattern: TEXT, description: "A URL or a CSS class name" }));
/** PostgreSQL `integer`. Elysia's t.Integer also accepts numeric strings (for query and path values). */
const INT4 = { minimum: -2147483648, maximum: 2147483647 };
const Priority = t.Integer(INT4);

export const ErrorBody = t.Object({ detail: t.Unknown() });

export const Permission = t.Object({
  name: t.String(),
  resource_type: t.String(),
  action: t.String(),
  description: t.Nullable(t.String()),
});

export const RoleProps = t.Object({
  id: t.String(),
  name: t.String(),
  slug: t.String(),
  description: t.Nullable(t.String()),
  icon: t.Nullable(t.String()),
  priority: t.Integer(),
  is_system: t.Boolean(),
  is_default: t.Boolean(),
  created_at: Timestamp,
  updated_at: t.Nullable(Timestamp),
});

const Link = t.Object({ href: t.String(), count: t.Integer() });
export const RoleRelationships = t.Object({ permissions: Link, users: Link });

/** GET /roles/ items. */
export const RoleSummary = t.Composite([RoleProps, t.Object({ relationships: RoleRelationships })]);

/** One role with its direct grants and the role it inherits from. */
export const RoleDetail = t.Composite([RoleProps, t.Object({
  permissions: t.Array(Permission, { description: "Granted directly (inherited ones come from parent_role)" }),
  parent_role: t.Nullable(RoleProps),
  relationships: RoleRelationships,
})]);

export const RoleCreate = t.Object({
  name: Name,
  slug: RoleSlug,
  description: t.Optional(Description),
  icon: t.Optional(Icon),
  priority: t.Optional(Priority),
  is_system: t.Optional(t.Boolean({ description: "Only false: system roles come from the seed" })),
  parent_role: t.Optional(t.Nullable(t.String({ maxLength: 64, description: "Slug of the role to inherit permissions from" }))),
});

/** The JSON Patch target of PATCH /roles/{slug}; `parent_role` is a slug here. */
export const RolePatchDocument = t.Object({
  id: t.String(),
  name: Name,
  slug: RoleSlug,
  description: Description,
  icon: Icon,
  priority: Type.Integer(INT4),
  is_system: t.Boolean(),
  is_default: t.Boolean(),
  parent_role: t.Nullable(t.String({ maxLength: 64 })),
  created_at: t.String(),
  updated_at: t.Nullable(t.String()),
}, { additionalProperties: false });

export const PermissionGrant = t.Object({ permission_name: t.String({ minLength: 1, maxLength: 128 }) });

export const SlugParams = t.Object({ slug: t.String() });
export const PermissionParams = t.Object({ slug: t.String(), permission_name: t.String() });

/** `GET /roles/{slug}/service-accounts` answers with the service-account feature's own shape. */
export { ServiceAccountResponse };

export type Permission = Static<typeof Permission>;
export type RoleProps = Static<typeof RoleProps>;
export type RoleSummary = Static<typeof RoleSummary>;
export type RoleDetail = Static<typeof RoleDetail>;
export type RoleCreate = Static<typeof RoleCreate>;
export type RolePatchDocument = Static<typeof RolePatchDocument>;
export type ServiceAccountResponse = Static<typeof ServiceAccountResponse>;
