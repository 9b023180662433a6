/**
 * Client credentials of a service account: created with the same scope and lifetime rules
 * as API keys, the secret shown once and stored as SHA-256; and their verification for the
 * client_credentials grant (secret first, so only the secret's holder learns more).
 */
import { ConflictError, InputError, NotFoundError } from "../../http/errors.ts";
import { newClientId, newSecret } from "../../lib/ids.ts";
import { hashSecret, secretMatches } from "../../lib/secrets.ts";
import type { Database } from "../../infra/postgres.ts";
import type { Principal } from "../auth/principal.ts";
import { checkScopes, expiryFor, type ApiKeyDeps } from "../api-keys/service.ts";
import type { ClientCredential, ClientCredentialCreated, ClientCredentialCreateInput } from "./model.ts";
import * as repo from "./credential-repo.ts";
import { touchAuthenticated } from "./repo.ts";
import { revokeSessions, sessionIdsOfClient } from "../auth/sessions-repo.ts";
import type { RequestMeta } from "../../infra/events.ts";
import { auditActor } from "../audit/actor.ts";

/** Tokens issued with a revoked or rotated credential stop working with it. */
async function endClientSessions(sql: Database, clientId: string, reason: string): Promise<void> {
  await revokeSessions(sql, await sessionIdsOfClient(sql, clientId), reason);
}

const NOT_FOUND = "Client credential not found or not owned by this service account";

function emit(deps: ApiKeyDeps, type: string, actor: Principal, meta: RequestMeta, account: { id: string; slug: string }, clientId: string, extra: Record<string, unknown> = {}) {
  deps.events.emit({
    type, outcome: "success", ...auditActor(actor, meta),
    detail: { client_id: clientId, service_account_id: account.id, service_account: account.slug, ...extra },
  });
}

const pick = (c: ClientCredential) => ({ client_id: c.client_id, name: c.name, description: c.description, scopes: c.scopes, expires_at: c.expires_at });

export async function createCredential(
  deps: ApiKeyDeps, actor: Principal, account: { id: string; slug: string }, input: ClientCredentialCreateInput, meta: RequestMeta,
): Promise<ClientCredentialCreated> {
  const scopes = await checkScopes(deps.sql, input.scopes);
  const expiresAt = expiryFor(deps.maxLifetimeDays, input.expires_in_days);
  const clientId = newClientId();
  const secret = newSecret();
  const created = await repo.insertCredential(deps.sql, account.id, {
    clientId, secretHash: hashSecret(secret), name: input.name, description: input.description ?? null, scopes, expiresAt,
  });
  emit(deps, "client_credential.created", actor, meta, account, clientId, { scopes, expires_at: created.expires_at });
  return { ...pick(created), client_secret: secret };
}

export const listCredentials = (deps: ApiKeyDeps, account: { id: string }) => repo.listCredentials(deps.sql, account.id);

export async function revokeCredential(deps: ApiKeyDeps, actor: Principal, account: { id: string; slug: string }, clientId: string, meta: RequestMeta): Promise<void> {
  if (!(await repo.revokeCredential(deps.sql, account.id, clientId))) throw new NotFoundError(NOT_FOUND);
  await endClientSessions(deps.sql, clientId, "client credential revoked");
  emit(deps, "client_credential.revoked", actor, meta, account, clientId);
}

export async function rotateCredential(
  deps: ApiKeyDeps, actor: Principal, account: { id: string; slug: string }, clientId: string, meta: RequestMeta,
): Promise<ClientCredentialCreated> {
  const current = await repo.findCredential(deps.sql, account.id, clientId);
  if (!current) throw new NotFoundError(NOT_FOUND);
  if (current.revoked) throw new InputError("Cannot rotate revoked client credential");
  const secret = newSecret();
  const rotated = await repo.rotateCredentialSecret(deps.sql, account.id, clientId, hashSecret(secret));
  if (!rotated) throw new ConflictError("Client credential was modified during rotation");
  await endClientSessions(deps.sql, clientId, "client credential rotated");
  emit(deps, "client_credential.rotated", actor, meta, account, clientId);
  return { ...pick(rotated), client_secret: secret };
}

export type ClientVerification =
  | { ok: true; clientId: string; scopes: string[]; account: { id: string; slug: string } }
  | { ok: false; reason: "invalid" | "revoked" | "expired" | "inactive"; clientId?: string; accountId?: string };

/** Checks a client id + secret; never throws for bad input. */
export async function verifyClientCredential(sql: Database, clientId: string, secret: string): Promise<ClientVerification> {
  const row = clientId.length <= 128 ? await repo.findClientForAuthentication(sql, clientId) : undefined;
  // Unknown ids still pay for a comparison, so timing does not tell them apart from wrong secrets.
  const matches = secretMatches(secret, row?.secret_hash ?? hashSecret(""));
  if (!row || !matches) return { ok: false, reason: "invalid" };
  const base = { clientId: row.client_id, accountId: row.account_id };
  if (row.revoked) return { ok: false, reason: "revoked", ...base };
  if (row.expires_at.getTime() <= Date.now()) return { ok: false, reason: "expired", ...base };
  if (!row.account_active) return { ok: false, reason: "inactive", ...base };
  return { ok: true, clientId: row.client_id, scopes: row.scopes, account: { id: row.account_id, slug: row.account_slug } };
}

/** Stamps client_credentials.last_used and service_accounts.last_authenticated. */
export async function recordClientAuthentication(sql: Database, clientId: string, accountId: string): Promise<void> {
  await repo.touchCredential(sql, clientId);
  await touchAuthenticated(sql, accountId);
}
