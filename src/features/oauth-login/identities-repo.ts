/** oauth_identities (which provider account belongs to which user) and users made by a first login. */
import type { Database } from "../../infra/postgres.ts";
import { newId } from "../../lib/ids.ts";
import type { Profile } from "./profile.ts";

export interface EncryptedTokens {
  access: string | null;
  refresh: string | null;
  expiresAt: Date | null;
}

export async function findIdentityUserId(sql: Database, slug: string, subject: string): Promise<string | undefined> {
  const [row] = await sql<{ user_id: string }[]>`select user_id from oauth_identities where provider_slug = ${slug} and subject = ${subject}`;
  return row?.user_id;
}

/**
 * Links (or refreshes) the identity. Returns false when this provider account is already
 * linked to another user (a concurrent first login), so the caller can refuse.
 */
export async function saveIdentity(sql: Database, userId: string, slug: string, profile: Profile, tokens: EncryptedTokens): Promise<boolean> {
  const rows = await sql`
    insert into oauth_identities (id, user_id, provider_slug, subject, email, display_name, avatar_url,
      access_token_encrypted, refresh_token_encrypted, token_expires_at, last_used)
    values (${newId()}, ${userId}, ${slug}, ${profile.subject}, ${profile.email}, ${profile.name}, ${profile.avatarUrl},
      ${tokens.access}, ${tokens.refresh}, ${tokens.expiresAt}, now())
    on conflict (provider_slug, subject) do update set
      email = excluded.email, display_name = excluded.display_name, avatar_url = excluded.avatar_url,
      access_token_encrypted = excluded.access_token_encrypted,
      refresh_token_encrypted = coalesce(excluded.refresh_token_encrypted, oauth_identities.refresh_token_encrypted),
      token_expires_at = excluded.token_expires_at, last_used = now()
    where oauth_identities.user_id = excluded.user_id
    returning id`;
  return rows.length === 1;
}

/** A user with no password (they sign in through the provider), email verified when the provider said so. */
export async function insertOAuthUser(sql: Database, profile: Profile & { email: string }): Promise<string | undefined> {
  const id = newId();
  const rows = await sql`
    insert into users (id, email, display_name, password_hash, avatar_url, email_verified)
    values (${id}, ${profile.email}, ${profile.name ?? profile.email.split("@")[0]!}, null, ${profile.avatarUrl}, ${profile.emailVerified})
    on conflict do nothing returning id`;
  return rows.length === 1 ? id : undefined;
}

export async function recordLastLogin(sql: Database, userId: string): Promise<void> {
  await sql`update users set last_login = now() where id = ${userId}`;
}
