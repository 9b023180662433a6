/**
 * API-key rules shared by users' own keys and service accounts' keys: the lifetime cap
 * (IMBI_AUTH_API_KEY_MAX_LIFETIME_DAYS: omitted = the maximum, more is refused), scopes that
 * name seeded permissions, secrets shown once and stored as SHA-256, and events that carry
 * the key id but never the secret.
 */
import type { Database } from "../../infra/postgres.ts";
import type { EventBus } from "../../infra/events.ts";
import { ConflictError, InputError, NotAllowedError, NotFoundError } from "../../http/errors.ts";
import { newApiKeyId, newSecret } from "../../lib/ids.ts";
import { hashSecret } from "../../lib/secrets.ts";
import type { Principal } from "../auth/principal.ts";
import type { ApiKey, ApiKeyCreated, ApiKeyCreateInput } from "./model.ts";
import * as repo from "./repo.ts";
import type { KeyOwner } from "./repo.ts";
import type { RequestMeta } from "../../infra/events.ts";
import { auditActor } from "../audit/actor.ts";

export type { KeyOwner };

export interface ApiKeyDeps {
  sql: Database;
  events: EventBus;
  maxLifetimeDays: number;
}

const DAY_MS = 86_400_000;

/** When a credential created now expires; refuses a lifetime beyond the cap. */
export function expiryFor(maxLifetimeDays: number, expiresInDays: number | null | undefined, now = new Date()): Date {
  const days = expiresInDays ?? maxLifetimeDays;
  if (days > maxLifetimeDays) throw new InputError(`Expiration exceeds maximum allowed lifetime of ${maxLifetimeDays} days`);
  return new Date(now.getTime() + days * DAY_MS);
}

/** Scopes are permission names: duplicates dropped, order kept, unknown names refused. */
export async function checkScopes(sql: Database, scopes: string[] | undefined): Promise<string[]> {
  const unique = [...new Set(scopes ?? [])];
  const unknown = await repo.findUnknownPermissions(sql, unique);
  if (unknown.length) throw new InputError(`Unknown scope(s): ${unknown.join(", ")}. Scopes must match seeded Permission names.`);
  return unique;
}

/** The names among `names` that are not seeded permissions (for the token endpoint's invalid_scope). */
export const unknownPermissions = (sql: Database, names: string[]) => repo.findUnknownPermissions(sql, names);

/**
 * A caller restricted by scopes cannot mint or re-secret a key broader than itself:
 * the key's scopes must be non-empty and within the caller's.
 */
export function checkWithinCallerScopes(caller: Principal, scopes: string[]): void {
  if (!caller.scopes) return;
  if (scopes.length === 0 || scopes.some((s) => !caller.scopes!.has(s))) {
    throw new NotAllowedError("Scopes exceed those of the credential in use");
  }
}

const notFoundMessage = (owner: KeyOwner) =>
  owner.kind === "user" ? "API key not found or not owned by user" : "API key not found or not owned by this service account";

function emit(deps: ApiKeyDeps, type: string, actor: Principal, meta: RequestMeta, owner: KeyOwner, keyId: string, extra: Record<string, unknown> = {}) {
  deps.events.emit({
    type, outcome: "success", ...auditActor(actor, meta),
    detail: { key_id: keyId, owner_type: owner.kind, owner_id: owner.id, ...extra },
  });
}

export async function createApiKey(deps: ApiKeyDeps, actor: Principal, owner: KeyOwner, input: ApiKeyCreateInput, meta: RequestMeta): Promise<ApiKeyCreated> {
  const scopes = await checkScopes(deps.sql, input.scopes);
  if (owner.kind === "user") checkWithinCallerScopes(actor, scopes);
  const expiresAt = expiryFor(deps.maxLifetimeDays, input.expires_in_days);
  const keyId = newApiKeyId();
  const secret = newSecret();
  const key = await repo.insertApiKey(deps.sql, owner, {
    keyId, secretHash: hashSecret(secret), name: input.name, description: input.description ?? null, scopes, expiresAt,
  });
  emit(deps, "api_key.created", actor, meta, owner, keyId, { scopes, expires_at: key.expires_at });
  return { ...pick(key), key_secret: `${keyId}_${secret}` };
}

export const listApiKeys = (deps: ApiKeyDeps, owner: KeyOwner): Promise<ApiKey[]> => repo.listApiKeys(deps.sql, owner);

export async function revokeApiKey(deps: ApiKeyDeps, actor: Principal, owner: KeyOwner, keyId: string, meta: RequestMeta): Promise<void> {
  if (!(await repo.revokeApiKey(deps.sql, owner, keyId))) throw new NotFoundError(notFoundMessage(owner));
  emit(deps, "api_key.revoked", actor, meta, owner, keyId);
}

/** Same key id, new secret: the old secret stops working at once. */
export async function rotateApiKey(deps: ApiKeyDeps, actor: Principal, owner: KeyOwner, keyId: string, meta: RequestMeta): Promise<ApiKeyCreated> {
  const current = await repo.findApiKey(deps.sql, owner, keyId);
  if (!current) throw new NotFoundError(notFoundMessage(owner));
  if (current.revoked) throw new InputError("Cannot rotate revoked API key");
  if (owner.kind === "user") checkWithinCallerScopes(actor, current.scopes);
  const secret = newSecret();
  const key = await repo.rotateApiKeySecret(deps.sql, owner, keyId, hashSecret(secret));
  if (!key) throw new ConflictError("API key was modified during rotation"); // revoked meanwhile
  emit(deps, "api_key.rotated", actor, meta, owner, keyId);
  return { ...pick(key), key_secret: `${keyId}_${secret}` };
}

const pick = (key: ApiKey) => ({ key_id: key.key_id, name: key.name, description: key.description, scopes: key.scopes, expires_at: key.expires_at });
