-- Uploaded files (reference-domain.md §14). The bytes live in S3 (original and WEBP
-- thumbnail); this row is written after both objects and removed before them. `id` is a
-- UUID (as the reference), `uploaded_by` keeps the uploader's email even after the user
-- row is gone.

create table uploads (
    id text primary key,
    filename text not null,
    content_type text not null,
    size bigint not null,
    s3_key text not null,
    has_thumbnail boolean not null default false,
    thumbnail_s3_key text,
    uploaded_by text not null,
    uploaded_by_id text references users (id) on delete set null,
    created_at timestamptz not null default now()
);
create index uploads_created_at on uploads (created_at, id);
create index uploads_content_type on uploads (content_type);
create index uploads_uploaded_by on uploads (uploaded_by);
