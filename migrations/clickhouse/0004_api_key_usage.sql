-- API-key usage metrics: one row per API-key-authenticated request, recorded after the
-- response through the buffered writer. Idempotent: applied at every startup.
-- ORDER BY serves "the usage of a key over time" (WHERE key_id = ? AND at BETWEEN ...).
-- `route` is the route template (/api/projects/:id), never the concrete path, so it groups.
-- Retention: 90 days (TTL): enough for usage trends and for spotting an unused key before
-- rotation; the audit log keeps the security history longer.
CREATE TABLE IF NOT EXISTS api_key_usage
(
    at DateTime64(3, 'UTC'),
    key_id String,
    owner_type LowCardinality(String),
    owner_id String,
    owner_name String DEFAULT '',
    method LowCardinality(String),
    route LowCardinality(String),
    status UInt16,
    latency_ms Float32,
    ip String DEFAULT '',
    request_id String DEFAULT ''
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(at)
ORDER BY (key_id, at)
TTL toDateTime(at) + INTERVAL 90 DAY
SETTINGS non_replicated_deduplication_window = 1000
