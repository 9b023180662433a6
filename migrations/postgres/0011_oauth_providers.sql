-- ADR 0009: login providers configured at runtime (several OIDC providers side by side, keyed
-- by slug), and the identities users signed in with through them. Client secrets and provider
-- tokens are Fernet ciphertext under IMBI_AUTH_ENCRYPTION_KEY.

create table oauth_providers (
    slug text primary key,
    type text not null check (type in ('google', 'github', 'oidc')),
    name text not null,
    enabled boolean not null default false,
    client_id text,
    client_secret_encrypted text,
    -- OIDC issuer; Google's issuer (default accounts.google.com); GitHub's server (GHES).
    issuer_url text,
    allowed_domains text[] not null default '{}',
    icon text not null,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
);

create table oauth_identities (
    id text primary key,
    user_id text not null references users (id) on delete cascade,
    provider_slug text not null references oauth_providers (slug) on delete cascade,
    -- The provider's stable subject (OIDC `sub`, GitHub's numeric id).
    subject text not null,
    email text,
    display_name text,
    avatar_url text,
    access_token_encrypted text,
    refresh_token_encrypted text,
    token_expires_at timestamptz,
    linked_at timestamptz not null default now(),
    last_used timestamptz,
    unique (provider_slug, subject)
);
create index oauth_identities_user on oauth_identities (user_id);
