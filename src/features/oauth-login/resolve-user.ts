/**
 * Which local user an upstream identity signs in as:
 *   1. the user this provider account is already linked to;
 *   2. else the user with the same email, when IMBI_AUTH_OAUTH_AUTO_LINK_BY_EMAIL is on and
 *      the provider vouches for the address;
 *   3. else a new user, when IMBI_AUTH_OAUTH_AUTO_CREATE_USERS is on.
 * Service accounts and inactive users never sign in this way.
 *
 * Resolving does not link: the caller links once the login is complete, i.e. after the
 * second factor for a user with MFA, so an identity cannot be attached to an account by
 * someone who fails its MFA. Linking to an existing account emits oauth_identity.linked,
 * which mails its owner a security alert.
 */
import type { Settings } from "../../config/settings.ts";
import type { Database } from "../../infra/postgres.ts";
import type { EventBus, RequestMeta } from "../../infra/events.ts";
import type { Fernet } from "../../lib/fernet.ts";
import { findUserByEmail, findUserById, type UserRow } from "../auth/principal-repo.ts";
import { findIdentityUserId, insertOAuthUser, saveIdentity } from "./identities-repo.ts";
import type { Profile, ProviderTokens } from "./profile.ts";

export class LoginRefused extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

export interface ResolveDeps {
  sql: Database;
  fernet: Fernet;
  events: EventBus;
  auth: Settings["auth"];
}

/** What to link once the login completes; JSON-safe, so a pending MFA login can carry it (tokens are Fernet ciphertext). */
export interface PendingLink {
  slug: string;
  profile: Profile;
  accessToken: string | null;
  refreshToken: string | null;
  expiresAt: string | null;
  /** "existing": the identity was linked before; "created": to a user this login made; "email": to an existing user by email. */
  via: "existing" | "created" | "email";
}

export interface Resolved {
  user: UserRow;
  link: PendingLink;
}

function usable(user: UserRow | undefined): UserRow {
  if (!user) throw new LoginRefused("user_not_found");
  if (user.is_service_account || !user.is_active) throw new LoginRefused("user_inactive");
  return user;
}

export async function resolveUser(
  deps: ResolveDeps, slug: string, profile: Profile & { email: string }, tokens: ProviderTokens, mayRetry = true,
): Promise<Resolved> {
  const { sql, fernet } = deps;
  const link = (via: PendingLink["via"]): PendingLink => ({
    slug, profile, via,
    accessToken: tokens.accessToken ? fernet.encrypt(tokens.accessToken) : null,
    refreshToken: tokens.refreshToken ? fernet.encrypt(tokens.refreshToken) : null,
    expiresAt: tokens.expiresAt?.toISOString() ?? null,
  });

  const linkedId = await findIdentityUserId(sql, slug, profile.subject);
  if (linkedId) return { user: usable(await findUserById(sql, linkedId)), link: link("existing") };

  const existing = await findUserByEmail(sql, profile.email);
  if (existing) {
    if (!deps.auth.oauth_auto_link_by_email) throw new LoginRefused("auto_link_disabled");
    if (!profile.emailVerified) throw new LoginRefused("email_not_verified");
    return { user: usable(existing), link: link("email") };
  }
  if (!deps.auth.oauth_auto_create_users) throw new LoginRefused("auto_create_disabled");
  const id = await insertOAuthUser(sql, profile);
  if (!id) {
    // Lost a race with another first login for the same email: that user is ours to link, by the same rules.
    if (mayRetry) return resolveUser(deps, slug, profile, tokens, false);
    throw new LoginRefused("user_conflict");
  }
  return { user: usable(await findUserById(sql, id)), link: link("created") };
}

/** Stores (or refreshes) the identity; false when the provider account meanwhile belongs to another user. */
export async function linkIdentity(deps: ResolveDeps, user: UserRow, link: PendingLink, meta: RequestMeta): Promise<boolean> {
  const saved = await saveIdentity(deps.sql, user.id, link.slug, link.profile, {
    access: link.accessToken, refresh: link.refreshToken, expiresAt: link.expiresAt ? new Date(link.expiresAt) : null,
  });
  if (saved && link.via !== "existing") {
    deps.events.emit({
      type: "oauth_identity.linked", outcome: "success", actor_type: "user", actor_id: user.id, actor_name: user.email,
      ip: meta.ip, user_agent: meta.userAgent, request_id: meta.requestId, detail: { provider: link.slug, user_created: link.via === "created" },
    });
  }
  return saved;
}
