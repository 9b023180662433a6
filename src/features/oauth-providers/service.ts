/**
 * ADR 0009's repository layer: list, get, upsert, delete, with the 30-second cache in front
 * and every write invalidating it here and on every other replica. Rules: the type of a
 * slug never changes (its identities' subjects would mean something else), an OIDC provider
 * names its issuer, an enabled provider has the credentials its flow needs, and provider
 * URLs are https (plain http only for loopback, i.e. a local test IdP).
 */
import type { EventBus, RequestMeta } from "../../infra/events.ts";
import type { Database } from "../../infra/postgres.ts";
import type { Logger } from "../../infra/logger.ts";
import type { Valkey } from "../../infra/valkey.ts";
import type { Fernet } from "../../lib/fernet.ts";
import { ConflictError, NotFoundError, UnprocessableError, type ValidationDetail } from "../../http/errors.ts";
import type { Principal } from "../auth/principal.ts";
import { DEFAULT_ICON, type ProviderRead, type ProviderWrite } from "./model.ts";
import { deleteProvider, selectProvider, selectProviders, setProviderEnabled, toProviderRead, upsertProvider, type ProviderRow } from "./repo.ts";
import { connectCacheBus, ENABLED_LIST, invalidationChannel, ProviderCache, type CacheBus } from "./cache.ts";

export type Provider = ProviderRow;

export interface ProviderStoreDeps {
  sql: Database;
  valkey: Valkey;
  fernet: Fernet;
  events: EventBus;
  logger: Logger;
  postgresUrl: string;
}

const LOOPBACK = new Set(["localhost", "127.0.0.1", "[::1]"]);

/** https, or http to a loopback host; no credentials, query or fragment. */
export function checkProviderUrl(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return "must be an absolute URL";
  }
  if (url.protocol !== "https:" && !(url.protocol === "http:" && LOOPBACK.has(url.hostname))) return "must use https (http only for loopback hosts)";
  if (url.username || url.password || url.search || url.hash) return "must not contain credentials, a query or a fragment";
  return undefined;
}

function problems(body: ProviderWrite, secretAfter: string | null): ValidationDetail[] {
  const found: ValidationDetail[] = [];
  const add = (field: string, msg: string, input?: unknown) => found.push({ type: "value_error", loc: ["body", field], msg, input });
  if (body.type === "oidc" && !body.issuer_url) add("issuer_url", "An OIDC provider needs its issuer URL", body.issuer_url ?? null);
  if (body.issuer_url) {
    const urlProblem = checkProviderUrl(body.issuer_url);
    if (urlProblem) add("issuer_url", `issuer_url ${urlProblem}`, body.issuer_url);
  }
  if (body.enabled && !body.client_id) add("client_id", "An enabled provider needs a client_id", body.client_id ?? null);
  // Google and GitHub web apps are confidential clients; an OIDC client may be public (PKCE only).
  if (body.enabled && body.type !== "oidc" && !secretAfter) add("client_secret", `An enabled ${body.type} provider needs a client_secret`);
  return found;
}

export interface SavedProvider {
  provider: ProviderRead;
  created: boolean;
}

export function createProviderStore(deps: ProviderStoreDeps) {
  const cache = new ProviderCache();
  const bus: CacheBus = connectCacheBus(deps.valkey, invalidationChannel(deps.postgresUrl), deps.logger, {
    onMessage: (slug) => cache.invalidate(slug),
    onResync: () => cache.clear(),
  });

  async function written(slug: string): Promise<void> {
    cache.invalidate(slug);
    await bus.publish(slug);
  }

  function emit(type: string, principal: Principal, meta: RequestMeta, detail: Record<string, unknown>): void {
    deps.events.emit({
      type, outcome: "success", actor_type: principal.kind, actor_id: principal.id, actor_name: principal.name,
      ip: meta.ip, user_agent: meta.userAgent, request_id: meta.requestId, detail,
    });
  }

  const store = {
    /** Cached: the enabled providers, by slug (the login page and /auth/providers). */
    enabled: () => cache.through(ENABLED_LIST, () => selectProviders(deps.sql, true)),
    /** Cached: one provider, or null. */
    find: (slug: string) => cache.through(slug, async () => (await selectProvider(deps.sql, slug)) ?? null),

    /** The plaintext client secret, for the token request only. */
    clientSecret: (provider: Provider): string | null =>
      provider.client_secret_encrypted === null ? null : deps.fernet.decryptText(provider.client_secret_encrypted),

    async list(): Promise<ProviderRead[]> {
      return (await selectProviders(deps.sql, false)).map(toProviderRead);
    },

    async get(slug: string): Promise<ProviderRead> {
      const row = await selectProvider(deps.sql, slug);
      if (!row) throw new NotFoundError(`OAuth provider '${slug}' not found`);
      return toProviderRead(row);
    },

    /** Upsert; `createOnly` (POST /login-providers/) refuses an existing slug. */
    async put(principal: Principal, slug: string, body: ProviderWrite, meta: RequestMeta, createOnly = false): Promise<SavedProvider> {
      const existing = await selectProvider(deps.sql, slug);
      if (existing && createOnly) throw new ConflictError(`Login provider with slug '${slug}' already exists`);
      if (existing && existing.type !== body.type) {
        throw new ConflictError(`OAuth provider '${slug}' is of type '${existing.type}'; delete it to recreate it as '${body.type}'`);
      }
      const secretChanged = body.client_secret !== undefined;
      const secret = secretChanged
        ? (body.client_secret ? deps.fernet.encrypt(body.client_secret) : null)
        : (existing?.client_secret_encrypted ?? null);
      const found = problems(body, secret);
      if (found.length) throw new UnprocessableError(found);
      const { row, created } = await upsertProvider(deps.sql, {
        slug, type: body.type, name: body.name, enabled: body.enabled ?? false, client_id: body.client_id ?? null,
        client_secret_encrypted: secret, issuer_url: body.issuer_url ? body.issuer_url.replace(/\/+$/, "") : null,
        allowed_domains: [...new Set((body.allowed_domains ?? []).map((d) => d.toLowerCase()))],
        icon: body.icon ?? DEFAULT_ICON[body.type],
      });
      await written(slug);
      const detail = { slug, provider_type: row.type, enabled: row.enabled, secret_changed: secretChanged };
      if (created) emit("oauth_provider.created", principal, meta, detail);
      else emit("oauth_provider.updated", principal, meta, detail);
      return { provider: toProviderRead(row), created };
    },

    async setEnabled(principal: Principal, slug: string, enabled: boolean, meta: RequestMeta): Promise<ProviderRead> {
      const existing = await selectProvider(deps.sql, slug);
      if (!existing) throw new NotFoundError(`OAuth provider '${slug}' not found`);
      if (enabled) {
        const found = problems({ ...existing, icon: undefined, enabled: true }, existing.client_secret_encrypted);
        if (found.length) throw new UnprocessableError(found);
      }
      const row = await setProviderEnabled(deps.sql, slug, enabled);
      if (!row) throw new NotFoundError(`OAuth provider '${slug}' not found`);
      await written(slug);
      emit("oauth_provider.updated", principal, meta, { slug, provider_type: row.type, enabled, secret_changed: false });
      return toProviderRead(row);
    },

    async remove(principal: Principal, slug: string, meta: RequestMeta): Promise<void> {
      if (!(await deleteProvider(deps.sql, slug))) throw new NotFoundError(`OAuth provider '${slug}' not found`);
      await written(slug);
      emit("oauth_provider.deleted", principal, meta, { slug });
    },
  };
  return store;
}

export type ProviderStore = ReturnType<typeof createProviderStore>;
