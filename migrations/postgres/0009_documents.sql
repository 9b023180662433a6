-- Documents (reference-domain §12.1): markdown pages attached to exactly one of a project, a
-- project type or a user (ATTACHED_TO), labelled with tags (TAGGED_WITH); their comment
-- threads and comments (§12.2, ON_DOCUMENT / IN_THREAD).
--
-- A document belongs to the organization it was created in (organization_id, the org of the
-- path) and to its anchor: deleting the project, project type or user deletes its documents
-- (on delete cascade), as releases go with their project. Threads and comments go with their
-- document. A tag that labels documents cannot be deleted (on delete restrict; the tags route
-- answers 409 naming the documents first, D2): untag the documents, then delete the tag.

create table documents (
    id text primary key,
    organization_id text not null references organizations (id) on delete cascade,
    project_id text references projects (id) on delete cascade,
    project_type_id text references project_types (id) on delete cascade,
    user_id text references users (id) on delete cascade,
    title text not null,
    content text not null,
    is_pinned boolean not null default false,
    created_by text not null,
    updated_by text,
    -- written by the application with millisecond precision: the cursor carries it exactly
    created_at timestamptz not null,
    updated_at timestamptz,
    check (num_nonnulls(project_id, project_type_id, user_id) = 1)
);
create index documents_org_created on documents (organization_id, created_at desc, id desc);
create index documents_project on documents (project_id, created_at desc, id desc) where project_id is not null;
create index documents_project_type on documents (project_type_id, created_at desc, id desc) where project_type_id is not null;
create index documents_user on documents (user_id, created_at desc, id desc) where user_id is not null;

create table document_tags (
    document_id text not null references documents (id) on delete cascade,
    tag_id text not null references tags (id) on delete restrict,
    primary key (document_id, tag_id)
);
create index document_tags_tag on document_tags (tag_id);

create table comment_threads (
    id text primary key,
    document_id text not null references documents (id) on delete cascade,
    kind text not null check (kind in ('page', 'inline')),
    resolved boolean not null default false,
    resolved_by text,
    resolved_at timestamptz,
    anchor_quote text not null default '',
    anchor_prefix text not null default '',
    anchor_suffix text not null default '',
    anchor_start integer not null default 0,
    created_by text not null,
    created_at timestamptz not null default clock_timestamp(),
    updated_at timestamptz
);
create index comment_threads_document on comment_threads (document_id, created_at, id);

create table comments (
    id text primary key,
    thread_id text not null references comment_threads (id) on delete cascade,
    author text not null,
    body text not null,
    mentions text[] not null default '{}',
    acknowledged_by text[] not null default '{}',
    edited boolean not null default false,
    created_at timestamptz not null default clock_timestamp(),
    updated_at timestamptz
);
create index comments_thread on comments (thread_id, created_at, id);

-- Document templates (§12.3): per organization, addressed by slug; `id` is the slug the
-- template was created with (the reference's DocumentTemplate.id = slug) and stays when the
-- slug changes. Tags label them like documents (a tag in use cannot be deleted either).
create table document_templates (
    row_id text primary key,
    id text not null,
    organization_id text not null references organizations (id) on delete cascade,
    slug text not null,
    name text not null,
    description text,
    icon text,
    title text,
    content text not null default '',
    type text not null default 'project' check (type in ('project', 'global', 'user', 'project_type')),
    project_type_slugs text[] not null default '{}',
    sort_order integer not null default 0,
    created_at timestamptz not null default now(),
    updated_at timestamptz,
    unique (organization_id, slug),
    unique (organization_id, id)
);

create table document_template_tags (
    template_row_id text not null references document_templates (row_id) on delete cascade,
    tag_id text not null references tags (id) on delete restrict,
    primary key (template_row_id, tag_id)
);
create index document_template_tags_tag on document_template_tags (tag_id);
