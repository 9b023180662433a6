-- Blueprints (reference-domain §13): JSON Schema documents that add attributes to an entity
-- type (kind = node: `type` names the entity) or properties to a relationship (kind =
-- relationship: source -[edge]-> target, e.g. Project -[DEPLOYED_IN]-> Environment).
-- Global, not organization-scoped. The slug is unique per (kind, type); `version` counts
-- changes (validators are compiled once per id + version).

create table blueprints (
    id text primary key,
    slug text not null,
    name text not null,
    description text,
    icon text,
    kind text not null check (kind in ('node', 'relationship')),
    type text,
    source text,
    target text,
    edge text,
    enabled boolean not null default true,
    priority integer not null default 0,
    filter jsonb,
    json_schema jsonb not null,
    version integer not null default 0,
    created_at timestamptz not null default now(),
    updated_at timestamptz,
    check (
        (kind = 'node' and type is not null and source is null and target is null and edge is null)
        or (kind = 'relationship' and type is null and source is not null and target is not null and edge is not null)
    )
);
create unique index blueprints_slug on blueprints (kind, coalesce(type, ''), slug);
create index blueprints_lookup on blueprints (kind, type, source, target, edge) where enabled;
