/** Users: request and response schemas (reference-auth §13), and the types derived from them. */
import { t, type Static } from "elysia";

/** Free text stored in PostgreSQL: a NUL character would make the database refuse the write. */
const TEXT = "^[^\\u0000]*$";

export const Email = t.String({ pattern: "^[^\\s@\\u0000]+@[^\\s@\\u0000]+\\.[^\\s@\\u0000]+$", maxLength: 320, description: "Email address" });
const Timestamp = t.String({ format: "date-time" });
export const ErrorBody = t.Object({ detail: t.Unknown() });

export const OrgMembership = t.Object({
  organization_name: t.String(),
  organization_slug: t.String(),
  role: t.String(),
});

export const UserResponse = t.Object({
  email: t.String(),
  display_name: t.String(),
  is_active: t.Boolean(),
  is_admin: t.Boolean(),
  is_service_account: t.Boolean(),
  created_at: Timestamp,
  last_login: t.Nullable(Timestamp),
  avatar_url: t.Nullable(t.String()),
  email_notifications: t.Boolean(),
  email_verified: t.Boolean({ description: "The address was confirmed through an emailed link" }),
  organizations: t.Array(OrgMembership),
});

export const TeamMembership = t.Object({ team_name: t.String(), team_slug: t.String(), organization_slug: t.String() });

export const CurrentUserResponse = t.Composite([UserResponse, t.Object({
  permissions: t.Array(t.String(), { description: "Effective permissions across every organization, sorted" }),
  teams: t.Array(TeamMembership),
})]);

export const UserCreate = t.Object({
  email: Email,
  display_name: t.String({ minLength: 1, maxLength: 256, pattern: TEXT }),
  // No schema limits: a schema failure would echo the password back as `input`; the policy checks it.
  password: t.Optional(t.Nullable(t.String({ description: "Omit or null for an OAuth-only user" }))),
  is_active: t.Optional(t.Boolean({ default: true })),
  is_admin: t.Optional(t.Boolean({ default: false })),
  is_service_account: t.Optional(t.Boolean({ default: false })),
  email_notifications: t.Optional(t.Boolean({ default: true })),
  organization_slug: t.String({ minLength: 1, maxLength: 64 }),
  role_slug: t.String({ minLength: 1, maxLength: 64 }),
});

export const UsersQuery = t.Object({
  is_active: t.Optional(t.BooleanString()),
  is_admin: t.Optional(t.BooleanString()),
});

export const EmailParams = t.Object({ email: t.String() });
export const MembershipParams = t.Object({ email: t.String(), org_slug: t.String() });

export const PasswordChange = t.Object({
  current_password: t.Optional(t.Nullable(t.String())),
  new_password: t.String(),
});

export const EmailChange = t.Object({
  email: Email,
  current_password: t.Optional(t.Nullable(t.String({ description: "Required when changing your own address and you have a password" }))),
});

export const MembershipCreate = t.Object({
  organization_slug: t.String({ minLength: 1, maxLength: 64 }),
  role_slug: t.String({ minLength: 1, maxLength: 64 }),
});

/** What PATCH /users/{email} may change, checked after the patch is applied (JSON Patch works on this shape). */
export const UserPatchDocument = t.Object({
  email: t.String(),
  display_name: t.String({ minLength: 1, maxLength: 256, pattern: TEXT }),
  is_active: t.Boolean(),
  is_admin: t.Boolean(),
  is_service_account: t.Boolean(),
  email_notifications: t.Boolean(),
  organizations: t.Array(t.Object({
    organization_slug: t.String({ minLength: 1, maxLength: 64 }),
    role: t.String({ minLength: 1, maxLength: 64 }),
  })),
}, { additionalProperties: false });

export type UserResponse = Static<typeof UserResponse>;
export type OrgMembership = Static<typeof OrgMembership>;
export type UserCreate = Static<typeof UserCreate>;
export type UserPatchDocument = Static<typeof UserPatchDocument>;
