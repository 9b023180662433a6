/**
 * /login-providers/: the SPA's newer admin screen (reference-clients §1.4), served as a view
 * over the same store as /admin/oauth-providers (D4). A provider appears as the reference's
 * org-less login Integration: `plugin` is the type, `used_as_login` is `enabled`, and the
 * secret shows only as a name in `credential_fields`. Several providers may be enabled side
 * by side (ADR 0009), so enabling one does not demote the others.
 */
import { Elysia, t, type Static } from "elysia";
import type { AppContext } from "../../context.ts";
import { requestMeta } from "../../http/request-context.ts";
import { ErrorBody, ProviderIcon, ProviderType, ProviderWrite, SLUG, SlugParams, type ProviderRead } from "./model.ts";
import type { ProviderStore } from "./service.ts";

const LoginProvider = t.Object({
  id: t.String(),
  slug: t.String(),
  name: t.String(),
  plugin: t.String(),
  status: t.String(),
  icon: t.String(),
  used_as_login: t.Boolean(),
  organization: t.Null(),
  team: t.Null(),
  options: t.Object({ issuer_url: t.Nullable(t.String()), allowed_domains: t.Array(t.String()) }),
  capabilities: t.Object({ identity: t.Object({ enabled: t.Boolean(), options: t.Object({}) }) }),
  credential_fields: t.Array(t.String()),
  credential_values: t.Object({ client_id: t.Optional(t.String()) }),
  links: t.Object({}),
  identifiers: t.Object({}),
  created_at: t.String(),
  updated_at: t.String(),
});

/** The reference's IntegrationCreate, reduced to what a provider has; other fields are ignored. */
const LoginProviderCreate = t.Object({
  plugin: ProviderType,
  name: t.String({ minLength: 1, maxLength: 128 }),
  slug: SLUG,
  icon: t.Optional(t.Nullable(ProviderIcon)),
  options: t.Optional(t.Object({
    issuer_url: t.Optional(ProviderWrite.properties.issuer_url),
    allowed_domains: t.Optional(ProviderWrite.properties.allowed_domains),
  })),
  credentials: t.Optional(t.Object({
    client_id: t.Optional(ProviderWrite.properties.client_id),
    client_secret: t.Optional(ProviderWrite.properties.client_secret),
  })),
});
type LoginProviderCreate = Static<typeof LoginProviderCreate>;

const UsedAsLogin = t.Object({ used_as_login: t.Boolean() });

function toLoginProvider(p: ProviderRead): Static<typeof LoginProvider> {
  return {
    id: p.slug, slug: p.slug, name: p.name, plugin: p.type, status: "active", icon: p.icon, used_as_login: p.enabled,
    organization: null, team: null,
    options: { issuer_url: p.issuer_url, allowed_domains: p.allowed_domains },
    capabilities: { identity: { enabled: p.enabled, options: {} } },
    credential_fields: [...(p.client_id ? ["client_id"] : []), ...(p.has_secret ? ["client_secret"] : [])],
    credential_values: p.client_id ? { client_id: p.client_id } : {},
    links: {}, identifiers: {}, created_at: p.created_at, updated_at: p.updated_at,
  };
}

const toWrite = (body: LoginProviderCreate) => ({
  type: body.plugin, name: body.name, enabled: false,
  client_id: body.credentials?.client_id?.trim() || null,
  ...(body.credentials?.client_secret ? { client_secret: body.credentials.client_secret.trim() } : {}),
  issuer_url: body.options?.issuer_url ?? null,
  allowed_domains: body.options?.allowed_domains ?? [],
  ...(body.icon ? { icon: body.icon } : {}),
});

const errors = { 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody, 422: ErrorBody };
const tags = ["Login Providers"];

export function loginProviderRoutes(ctx: AppContext, store: ProviderStore) {
  return new Elysia({ name: "imbi.login-providers", prefix: "/login-providers" })
    .use(ctx.auth)
    .get("/", async () => (await store.list()).map(toLoginProvider), {
      permission: "oauth-providers:read",
      response: { 200: t.Array(LoginProvider), ...errors },
      detail: { tags, summary: "Login providers, as the SPA's admin screen lists them" },
    })
    .post("/", async (c) => {
      const { provider } = await store.put(c.principal, c.body.slug, toWrite(c.body), requestMeta(c), true);
      c.set.status = 201;
      return toLoginProvider(provider);
    }, {
      permission: "oauth-providers:write",
      body: LoginProviderCreate,
      response: { 201: LoginProvider, ...errors },
      detail: { tags, summary: "Add a login provider (disabled until used-as-login is set)" },
    })
    .get("/:slug", async ({ params }) => toLoginProvider(await store.get(params.slug)), {
      permission: "oauth-providers:read",
      params: SlugParams,
      response: { 200: LoginProvider, ...errors },
      detail: { tags, summary: "One login provider" },
    })
    .put("/:slug/used-as-login", async (c) =>
      toLoginProvider(await store.setEnabled(c.principal, c.params.slug, c.body.used_as_login, requestMeta(c))), {
      permission: "oauth-providers:write",
      params: SlugParams,
      body: UsedAsLogin,
      response: { 200: LoginProvider, ...errors },
      detail: { tags, summary: "Offer (or stop offering) the provider on the login page" },
    })
    .delete("/:slug", async (c) => {
      await store.remove(c.principal, c.params.slug, requestMeta(c));
      c.set.status = 204;
    }, {
      permission: "oauth-providers:write",
      params: SlugParams,
      response: { 204: t.Void(), ...errors },
      detail: { tags, summary: "Delete a login provider" },
    });
}
