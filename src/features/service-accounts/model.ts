/** Service accounts, their organization memberships and client credentials (reference-auth §7.4–7.6). */
import { t } from "elysia";
import { Description, ExpiresInDays, Name, Scopes } from "../api-keys/model.ts";

export const SLUG_PATTERN = "^[a-z][a-z0-9-]*$";
export const AccountSlug = t.String({ pattern: SLUG_PATTERN, minLength: 2, maxLength: 64, description: "Lowercase letter, then letters, digits, hyphens" });
const DisplayName = t.String({ minLength: 1, maxLength: 128 });
const AccountDescription = t.Nullable(t.String({ maxLength: 4096 }));
const AvatarUrl = t.Nullable(t.String({ pattern: "^https?://\\S+$", maxLength: 2048 }));
/** Organization and role slugs are looked up, not created here: any short string, 404 when unknown. */
const RefSlug = t.String({ minLength: 1, maxLength: 64 });
const Timestamp = t.String({ format: "date-time" });

export const ServiceAccountCreateBody = t.Object({
  slug: AccountSlug,
  display_name: DisplayName,
  description: t.Optional(AccountDescription),
  is_active: t.Optional(t.Boolean({ default: true })),
  avatar_url: t.Optional(AvatarUrl),
  organization_slug: RefSlug,
  role_slug: RefSlug,
});
export type ServiceAccountCreateInput = typeof ServiceAccountCreateBody.static;

/** What a JSON Patch may leave behind: the writable fields, nothing else. */
export const ServiceAccountPatchResult = t.Object({
  slug: t.String(),
  display_name: DisplayName,
  description: AccountDescription,
  is_active: t.Boolean(),
  avatar_url: AvatarUrl,
}, { additionalProperties: false });
export type ServiceAccountFields = typeof ServiceAccountPatchResult.static;

export const AccountOrganization = t.Object({ organization_name: t.String(), organization_slug: t.String(), role: t.String() });

export const ServiceAccountResponse = t.Object({
  slug: t.String(),
  display_name: t.String(),
  description: t.Nullable(t.String()),
  is_active: t.Boolean(),
  created_at: Timestamp,
  updated_at: t.Nullable(Timestamp),
  last_authenticated: t.Nullable(Timestamp),
  avatar_url: t.Nullable(t.String()),
  organizations: t.Array(AccountOrganization),
});
export type ServiceAccount = typeof ServiceAccountResponse.static;

export const ListQuery = t.Object({ is_active: t.Optional(t.BooleanString()) });
export const SlugParams = t.Object({ slug: t.String({ maxLength: 128 }) });
export const MembershipParams = t.Object({ slug: t.String({ maxLength: 128 }), org_slug: t.String({ maxLength: 128 }) });
export const MembershipBody = t.Object({ organization_slug: RefSlug, role_slug: RefSlug });
export const MembershipPatchResult = t.Object({ role_slug: RefSlug }, { additionalProperties: false });

export const ClientCredentialCreateBody = t.Object({
  name: Name,
  description: Description,
  scopes: t.Optional(Scopes),
  expires_in_days: ExpiresInDays,
});
export type ClientCredentialCreateInput = typeof ClientCredentialCreateBody.static;

export const ClientCredentialCreateResponse = t.Object({
  client_id: t.String(),
  client_secret: t.String({ description: "Shown only once" }),
  name: t.String(),
  description: t.Nullable(t.String()),
  scopes: t.Array(t.String()),
  expires_at: Timestamp,
});
export type ClientCredentialCreated = typeof ClientCredentialCreateResponse.static;

export const ClientCredentialResponse = t.Object({
  client_id: t.String(),
  name: t.String(),
  description: t.Nullable(t.String()),
  scopes: t.Array(t.String()),
  created_at: Timestamp,
  expires_at: Timestamp,
  last_used: t.Nullable(Timestamp),
  last_rotated: t.Nullable(Timestamp),
  revoked: t.Boolean(),
  revoked_at: t.Nullable(Timestamp),
});
export type ClientCredential = typeof ClientCredentialResponse.static;

export const ErrorBody = t.Object({ detail: t.Unknown() });
export const KeyParams = t.Object({ slug: t.String({ maxLength: 128 }), key_id: t.String({ maxLength: 128 }) });
export const ClientParams = t.Object({ slug: t.String({ maxLength: 128 }), client_id: t.String({ maxLength: 128 }) });
