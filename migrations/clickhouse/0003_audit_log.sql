-- Audit log (DECISIONS.md D6, STYLE.md habit 12): one row per domain event (docs/events.md),
-- written by the audit subscriber through the buffered writer. Idempotent: applied at every
-- startup. `detail` holds the event's fields as JSON text (read them with JSONExtract*); text
-- keeps every event insertable whatever its shape.
-- ORDER BY serves "the events of an actor over time": WHERE actor_id = ? [AND at BETWEEN ...]
-- (actor_type first: three values, so lookups by actor_id alone still use the index). Failed
-- logins of unknown accounts have no actor_id: the bloom filter finds them by actor_name.
-- Retention: 400 days (TTL), a full year of history plus a month of slack for annual access
-- reviews and incident look-backs; whole monthly partitions expire at once.
-- insert_deduplication_token (set per batch by the writer) needs the deduplication window on a
-- non-replicated table, so a retried batch is not stored twice.
CREATE TABLE IF NOT EXISTS audit_log
(
    event_id String,
    at DateTime64(3, 'UTC'),
    event_type LowCardinality(String),
    outcome LowCardinality(String),
    actor_type LowCardinality(String),
    actor_id String DEFAULT '',
    actor_name String DEFAULT '',
    ip String DEFAULT '',
    user_agent String DEFAULT '',
    request_id String DEFAULT '',
    detail String DEFAULT '{}',
    INDEX idx_actor_name actor_name TYPE bloom_filter GRANULARITY 4,
    INDEX idx_event_type event_type TYPE set(100) GRANULARITY 4
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(at)
ORDER BY (actor_type, actor_id, at)
TTL toDateTime(at) + INTERVAL 400 DAY
SETTINGS non_replicated_deduplication_window = 1000
