-- Search (reference-domain §16.5). Catalog writes are never touched by search: a trigger on
-- each searchable table appends (entity type, id) to search_queue, and a background worker
-- (features/search/indexer.ts) turns the entity's current fields into search_chunks, one
-- row per chunk of each embeddable attribute. Lexical search reads search_chunks (full text
-- + pg_trgm for typos); the vectors of each embedding model live in their own table, created
-- at runtime only where the `vector` extension exists (features/search/repo/vectors.ts).

create extension if not exists pg_trgm;

create table search_chunks (
    entity_type text not null,
    entity_id text not null,
    attribute text not null,
    chunk_index integer not null,
    organization_id text not null,
    -- the project a document, release or comment belongs to: hidden while it is archived
    project_id text,
    chunk_text text not null,
    -- sha256 of chunk_text: a vector row embedded from other text is stale
    text_hash text not null,
    -- bounded: a tsvector holds at most 1 MB, and a heading-less document is one chunk
    tsv tsvector generated always as (to_tsvector('english', left(chunk_text, 100000))) stored,
    primary key (entity_type, entity_id, attribute, chunk_index)
);
create index search_chunks_org on search_chunks (organization_id, entity_type);
create index search_chunks_tsv on search_chunks using gin (tsv);
create index search_chunks_trgm on search_chunks using gin (chunk_text gin_trgm_ops);

-- Every word (unstemmed, lower case) of each organization's chunks: typos in a query are
-- corrected against the organization's own vocabulary by trigram similarity, then searched
-- with full text, instead of comparing the query to every chunk. Words are never removed (a
-- stale one matches nothing).
create table search_terms (
    organization_id text not null,
    term text not null,
    primary key (organization_id, term)
);
create index search_terms_trgm on search_terms using gin (term gin_trgm_ops);

-- Append-only, so a writer never waits on a row the worker holds (FOR UPDATE SKIP LOCKED).
create table search_queue (
    id bigint generated always as identity primary key,
    entity_type text not null,
    entity_id text not null,
    attempts integer not null default 0,
    enqueued_at timestamptz not null default clock_timestamp()
);
create index search_queue_entity on search_queue (entity_type, entity_id);

-- TG_ARGV: the entity type, then the name of the table's id column.
create function search_enqueue() returns trigger language plpgsql
set search_path from current as $$
declare
    old_id text := case when tg_op <> 'INSERT' then to_jsonb(old) ->> tg_argv[1] end;
    new_id text := case when tg_op <> 'DELETE' then to_jsonb(new) ->> tg_argv[1] end;
begin
    if old_id is not null then
        insert into search_queue (entity_type, entity_id) values (tg_argv[0], old_id);
    end if;
    if new_id is not null and new_id is distinct from old_id then
        insert into search_queue (entity_type, entity_id) values (tg_argv[0], new_id);
    end if;
    return null;
end
$$;

create trigger search_enqueue after insert or update or delete on organizations
    for each row execute function search_enqueue('Organization', 'id');
create trigger search_enqueue after insert or update or delete on teams
    for each row execute function search_enqueue('Team', 'id');
create trigger search_enqueue after insert or update or delete on environments
    for each row execute function search_enqueue('Environment', 'id');
create trigger search_enqueue after insert or update or delete on project_types
    for each row execute function search_enqueue('ProjectType', 'id');
create trigger search_enqueue after insert or update or delete on tags
    for each row execute function search_enqueue('Tag', 'id');
create trigger search_enqueue after insert or update or delete on link_definitions
    for each row execute function search_enqueue('LinkDefinition', 'id');
create trigger search_enqueue after insert or update or delete on projects
    for each row execute function search_enqueue('Project', 'id');
create trigger search_enqueue after insert or update or delete on releases
    for each row execute function search_enqueue('Release', 'id');
create trigger search_enqueue after insert or update or delete on documents
    for each row execute function search_enqueue('Document', 'id');
create trigger search_enqueue after insert or update or delete on comments
    for each row execute function search_enqueue('Comment', 'id');
create trigger search_enqueue after insert or update or delete on document_templates
    for each row execute function search_enqueue('DocumentTemplate', 'row_id');
