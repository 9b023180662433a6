/**
 * ADR 0009's OAuthProvider: the write body (PUT), and the strict read model, which has
 * `has_secret` and no secret field at all, so the ciphertext cannot reach a response.
 */
import { t, type Static } from "elysia";

export const ProviderType = t.Union([t.Literal("google"), t.Literal("github"), t.Literal("oidc")]);
export type ProviderType = Static<typeof ProviderType>;
export const ProviderIcon = t.Union([t.Literal("google"), t.Literal("github"), t.Literal("key")]);

/** The icon a provider gets when the write body names none. */
export const DEFAULT_ICON: Record<ProviderType, Static<typeof ProviderIcon>> = { google: "google", github: "github", oidc: "key" };

export const SLUG = t.String({ pattern: "^[a-z][a-z0-9-]*$", minLength: 2, maxLength: 64, description: "Key of the provider, e.g. google, okta" });
const DOMAIN = t.String({ pattern: "^[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?)+$", maxLength: 253 });

export const SlugParams = t.Object({ slug: SLUG });

export const ProviderWrite = t.Object({
  type: ProviderType,
  name: t.String({ minLength: 1, maxLength: 128 }),
  enabled: t.Optional(t.Boolean({ default: false })),
  client_id: t.Optional(t.Nullable(t.String({ minLength: 1, maxLength: 512 }))),
  client_secret: t.Optional(t.Nullable(t.String({ maxLength: 4096, description: "Write-only. Absent: keep the stored secret; null or \"\": remove it" }))),
  issuer_url: t.Optional(t.Nullable(t.String({ maxLength: 2048, description: "OIDC issuer (required for oidc); Google's issuer; GitHub's server URL (Enterprise Server)" }))),
  allowed_domains: t.Optional(t.Array(DOMAIN, { maxItems: 100, description: "Email domains allowed to sign in; empty = any" })),
  icon: t.Optional(ProviderIcon),
});
export type ProviderWrite = Static<typeof ProviderWrite>;

export const ProviderRead = t.Object({
  slug: t.String(),
  type: ProviderType,
  name: t.String(),
  enabled: t.Boolean(),
  client_id: t.Nullable(t.String()),
  has_secret: t.Boolean(),
  issuer_url: t.Nullable(t.String()),
  allowed_domains: t.Array(t.String()),
  icon: t.String(),
  created_at: t.String({ format: "date-time" }),
  updated_at: t.String({ format: "date-time" }),
});
export type ProviderRead = Static<typeof ProviderRead>;

export const ErrorBody = t.Object({ detail: t.Unknown() });
