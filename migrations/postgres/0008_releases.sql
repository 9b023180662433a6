-- Releases (reference-domain §11): a project's releases (HAS_RELEASE) and their per-environment
-- deployment history (DEPLOYED_TO.deployments, one row per DeploymentEvent).
--
-- A release belongs to its project: deleting the project deletes its releases and their
-- history with it (on delete cascade). An environment with deployment history cannot be
-- deleted (on delete restrict; the environments route answers 409 first, D2).

create table releases (
    id text primary key,
    project_id text not null references projects (id) on delete cascade,
    tag text,
    committish text not null,
    -- the tag checked and normalized under IMBI_RELEASES_VERSION_FORMAT when it was written
    version text,
    title text not null,
    description text,
    links jsonb not null default '[]',
    created_by text not null,
    created_at timestamptz not null default now(),
    updated_at timestamptz
);
-- identity = (project, committish, tag); two untagged releases of one commit clash too
create unique index releases_identity on releases (project_id, committish, coalesce(tag, ''));
create index releases_project_created on releases (project_id, created_at desc, id desc);

create table release_deployments (
    id bigint generated always as identity primary key,
    release_id text not null references releases (id) on delete cascade,
    environment_id text not null references environments (id) on delete restrict,
    status text not null check (status in ('pending', 'in_progress', 'success', 'failed', 'rolled_back')),
    note text,
    external_run_id text,
    external_run_url text,
    performed_by text,
    recorded_at timestamptz not null default clock_timestamp()
);
create index release_deployments_history on release_deployments (release_id, environment_id, recorded_at, id);
create index release_deployments_env on release_deployments (environment_id);
