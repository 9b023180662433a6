-- Transactional email (issue #7): the outbox the worker delivers from, the one-time tokens of
-- the password-reset / set-password and email-verification links, and users.email_verified.
-- Messages are inserted in the same transaction as the change that causes them; the worker
-- claims due rows with SELECT ... FOR UPDATE SKIP LOCKED and a lease (locked_until), so with
-- several replicas each message is claimed by one of them at a time.
alter table users add column email_verified boolean not null default false;

create table email_outbox (
    id text primary key,
    template text not null,
    recipient text not null,
    -- Template values (display name, links). Cleared once the message is done: links carry tokens.
    params jsonb not null default '{}',
    status text not null default 'pending' check (status in ('pending', 'sent', 'failed', 'skipped', 'dry_run')),
    attempts integer not null default 0,
    next_attempt_at timestamptz not null default now(),
    locked_until timestamptz,
    last_error text,
    request_id text,
    created_at timestamptz not null default now(),
    finished_at timestamptz
);
create index email_outbox_due on email_outbox (next_attempt_at) where status = 'pending';

-- Only the SHA-256 of a token is stored; the token itself exists only in the message.
create table one_time_tokens (
    token_hash text primary key,
    purpose text not null check (purpose in ('reset', 'verify')),
    user_id text not null references users (id) on delete cascade,
    -- verify: the address the token proves; it is void once the user's email differs.
    email text not null,
    expires_at timestamptz not null,
    used_at timestamptz,
    created_at timestamptz not null default now()
);
create index one_time_tokens_user on one_time_tokens (user_id, purpose);
