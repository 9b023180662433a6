/** API keys (`ik_<32 hex>_<secret>`), for users and service accounts alike (reference-auth §7.3, §7.5). */
import { t } from "elysia";

export const Name = t.String({ minLength: 1, maxLength: 128, description: "A label for the credential" });
export const Description = t.Optional(t.Nullable(t.String({ maxLength: 2048 })));
export const Scopes = t.Array(t.String({ minLength: 1, maxLength: 128 }), {
  maxItems: 256, default: [], description: "Permission names; empty = every permission of the owner",
});
export const ExpiresInDays = t.Optional(t.Nullable(t.Integer({
  minimum: 1, description: "Days until expiry; omitted = IMBI_AUTH_API_KEY_MAX_LIFETIME_DAYS, more is refused",
})));
const Timestamp = t.String({ format: "date-time" });
const MaybeTimestamp = t.Nullable(Timestamp);

export const ApiKeyCreateBody = t.Object({
  name: Name,
  description: Description,
  scopes: t.Optional(Scopes),
  expires_in_days: ExpiresInDays,
});
export type ApiKeyCreateInput = typeof ApiKeyCreateBody.static;

export const ApiKeyCreateResponse = t.Object({
  key_id: t.String(),
  key_secret: t.String({ description: "The full key, shown only once: ik_<32 hex>_<secret>" }),
  name: t.String(),
  description: t.Nullable(t.String()),
  scopes: t.Array(t.String()),
  expires_at: Timestamp,
});
export type ApiKeyCreated = typeof ApiKeyCreateResponse.static;

export const ApiKeyResponse = t.Object({
  key_id: t.String(),
  name: t.String(),
  description: t.Nullable(t.String()),
  scopes: t.Array(t.String()),
  created_at: Timestamp,
  expires_at: Timestamp,
  last_used: MaybeTimestamp,
  last_rotated: MaybeTimestamp,
  revoked: t.Boolean(),
  revoked_at: MaybeTimestamp,
});
export type ApiKey = typeof ApiKeyResponse.static;

export const KeyIdParams = t.Object({ key_id: t.String({ maxLength: 128 }) });
export const ErrorBody = t.Object({ detail: t.Unknown() });
