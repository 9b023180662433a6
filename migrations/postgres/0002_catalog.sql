-- The catalog's organization-scoped entities. Slugs are unique per organization (D2);
-- `attributes` holds the fields blueprints add to an entity. Foreign keys restrict deletes
-- so nothing is orphaned: the API answers 409 naming the dependents instead (D2).

alter table organizations
    add column tag_formats jsonb not null default '[]',
    add column previous_slugs text[] not null default '{}',
    add column attributes jsonb not null default '{}';

create table teams (
    id text primary key,
    organization_id text not null references organizations (id) on delete restrict,
    slug text not null,
    name text not null,
    description text,
    icon text,
    attributes jsonb not null default '{}',
    created_at timestamptz not null default now(),
    updated_at timestamptz,
    unique (organization_id, slug)
);

create table team_members (
    team_id text not null references teams (id) on delete cascade,
    user_id text not null references users (id) on delete cascade,
    created_at timestamptz not null default now(),
    primary key (team_id, user_id)
);
create index team_members_user on team_members (user_id);

create table environments (
    id text primary key,
    organization_id text not null references organizations (id) on delete restrict,
    slug text not null,
    name text not null,
    description text,
    icon text,
    sort_order integer not null default 0,
    label_color text,
    can_deploy boolean not null default true,
    can_promote boolean not null default false,
    attributes jsonb not null default '{}',
    created_at timestamptz not null default now(),
    updated_at timestamptz,
    unique (organization_id, slug)
);

create table project_types (
    id text primary key,
    organization_id text not null references organizations (id) on delete restrict,
    slug text not null,
    name text not null,
    description text,
    icon text,
    deployable boolean not null default false,
    releasable boolean not null default false,
    tag_formats jsonb not null default '[]',
    attributes jsonb not null default '{}',
    created_at timestamptz not null default now(),
    updated_at timestamptz,
    unique (organization_id, slug),
    check (not (deployable and releasable))
);

create table tags (
    id text primary key,
    organization_id text not null references organizations (id) on delete restrict,
    slug text not null,
    name text not null,
    description text,
    created_at timestamptz not null default now(),
    updated_at timestamptz,
    unique (organization_id, slug)
);

create table link_definitions (
    id text primary key,
    organization_id text not null references organizations (id) on delete restrict,
    slug text not null,
    name text not null,
    description text,
    icon text,
    url_template text,
    attributes jsonb not null default '{}',
    created_at timestamptz not null default now(),
    updated_at timestamptz,
    unique (organization_id, slug)
);

-- Projects are owned by a team, typed by one or more project types (ADR 0006), deployed in
-- environments (with per-environment properties) and may depend on other projects.
create table projects (
    id text primary key,
    organization_id text not null references organizations (id) on delete restrict,
    team_id text not null references teams (id) on delete restrict,
    slug text not null,
    name text not null,
    description text,
    icon text,
    links jsonb not null default '{}',
    identifiers jsonb not null default '{}',
    score double precision,
    archived boolean not null default false,
    archived_at timestamptz,
    attributes jsonb not null default '{}',
    created_at timestamptz not null default now(),
    updated_at timestamptz,
    unique (organization_id, slug)
);
create index projects_team on projects (team_id);

create table project_project_types (
    project_id text not null references projects (id) on delete cascade,
    project_type_id text not null references project_types (id) on delete restrict,
    primary key (project_id, project_type_id)
);
create index project_project_types_type on project_project_types (project_type_id);

create table project_environments (
    project_id text not null references projects (id) on delete cascade,
    environment_id text not null references environments (id) on delete restrict,
    properties jsonb not null default '{}',
    current_release_id text,
    current_release_at timestamptz,
    primary key (project_id, environment_id)
);
create index project_environments_env on project_environments (environment_id);

create table project_dependencies (
    project_id text not null references projects (id) on delete cascade,
    depends_on_id text not null references projects (id) on delete restrict,
    created_at timestamptz not null default now(),
    primary key (project_id, depends_on_id),
    check (project_id <> depends_on_id)
);
create index project_dependencies_target on project_dependencies (depends_on_id);
