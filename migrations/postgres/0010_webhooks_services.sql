-- Webhooks (configuration; deliveries go to the gateway) and project services (EXISTS_IN),
-- reference-domain §10. Both point at an organization's integrations: the configured
-- third-party services. The plugin-driven integrations API (§18) comes later and extends
-- this table; for now it carries what webhooks and project services show of an integration.
-- Foreign keys restrict deletes, so an integration in use cannot vanish (D2).

create table integrations (
    id text primary key,
    organization_id text not null references organizations (id) on delete restrict,
    slug text not null,
    name text not null,
    description text,
    icon text,
    plugin text not null,
    status text not null default 'active' check (status in ('active', 'deprecated', 'evaluating', 'inactive')),
    created_at timestamptz not null default now(),
    updated_at timestamptz,
    unique (organization_id, slug)
);

-- IMPLEMENTED_BY is the nullable integration_id with its selectors; the secret is Fernet
-- ciphertext (IMBI_AUTH_ENCRYPTION_KEY) and never leaves the server.
create table webhooks (
    id text primary key,
    organization_id text not null references organizations (id) on delete restrict,
    slug text not null,
    name text not null,
    description text,
    icon text,
    notification_path text not null,
    secret_encrypted text,
    integration_id text references integrations (id) on delete restrict,
    identifier_selector text,
    user_subject_selector text,
    user_type_selector text,
    identity_integration_slug text,
    event_type_selector text,
    created_at timestamptz not null default now(),
    updated_at timestamptz,
    unique (organization_id, slug),
    check (integration_id is not null or (identifier_selector is null and user_subject_selector is null
        and user_type_selector is null and identity_integration_slug is null and event_type_selector is null))
);
create index webhooks_integration on webhooks (integration_id);

-- A webhook's rules (ACTIONS), in order; they live and die with the webhook.
create table webhook_rules (
    webhook_id text not null references webhooks (id) on delete cascade,
    ordinal integer not null,
    filter_expression text not null,
    handler text not null,
    handler_config jsonb not null default '{}',
    primary key (webhook_id, ordinal)
);

-- EXISTS_IN: the project is known to the integration under `identifier`. One project per
-- identifier in an integration, so the gateway resolves a payload to exactly one project.
create table project_services (
    project_id text not null references projects (id) on delete cascade,
    integration_id text not null references integrations (id) on delete restrict,
    identifier text not null,
    canonical_url text,
    created_at timestamptz not null default now(),
    updated_at timestamptz,
    primary key (project_id, integration_id),
    unique (integration_id, identifier)
);
