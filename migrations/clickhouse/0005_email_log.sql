-- Email log (issue #7): one row per delivery attempt of an outbox message, written by the
-- email worker through the buffered writer (buffered through ClickHouse outages like the
-- audit log). status: sent | failed | skipped | dry_run; `final` is 0 for a failed attempt
-- that will be retried. The recipient is never stored in plain text: only its SHA-256 (hex,
-- of the lowercased address) and its domain. Idempotent: applied at every startup.
-- Retention: 400 days, like the audit log.
CREATE TABLE IF NOT EXISTS email_log
(
    message_id String,
    at DateTime64(3, 'UTC'),
    template LowCardinality(String),
    status LowCardinality(String),
    attempts UInt16,
    final UInt8 DEFAULT 1,
    error String DEFAULT '',
    recipient_hash String,
    recipient_domain LowCardinality(String),
    request_id String DEFAULT ''
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(at)
ORDER BY (template, at)
TTL toDateTime(at) + INTERVAL 400 DAY
SETTINGS non_replicated_deduplication_window = 1000
