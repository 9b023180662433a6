-- The OAuth 2.0 authorization server (MCP login): clients registered through RFC 7591,
-- the consent each user gave each client (asked once), and which client a session
-- (refresh-token family) belongs to. Clients identified by a metadata-document URL are
-- not stored here; their documents are cached in Valkey.

create table oauth_clients (
    client_id text primary key,
    client_name text,
    redirect_uris text[] not null,
    grant_types text[] not null,
    response_types text[] not null,
    token_endpoint_auth_method text not null,
    scope text,
    created_at timestamptz not null default now()
);

create table oauth_consents (
    user_id text not null references users (id) on delete cascade,
    -- A registered client's id or a Client ID Metadata Document URL: no foreign key.
    client_id text not null,
    granted_at timestamptz not null default now(),
    primary key (user_id, client_id)
);

alter table sessions add column oauth_client_id text;
create index sessions_oauth_client on sessions (oauth_client_id) where oauth_client_id is not null;
