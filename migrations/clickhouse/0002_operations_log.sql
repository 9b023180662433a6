-- Operations log (reference-domain §16.1/§16.2). Soft deletes and edits bump _row_version.
CREATE TABLE IF NOT EXISTS operations_log
(
    id String,
    occurred_at DateTime64(3, 'UTC'),
    recorded_at DateTime64(3, 'UTC'),
    recorded_by LowCardinality(String),
    performed_by Nullable(String),
    completed_at Nullable(DateTime64(3, 'UTC')),
    project_id LowCardinality(String),
    project_slug LowCardinality(String),
    environment_slug LowCardinality(String),
    entry_type LowCardinality(String),
    description String,
    link Nullable(String),
    notes Nullable(String),
    ticket_slug Nullable(String),
    version Nullable(String),
    _row_version UInt64 DEFAULT 1,
    is_deleted UInt8 DEFAULT 0,
    plugin_slug LowCardinality(String) DEFAULT '',
    external_run_id Nullable(String),
    INDEX idx_id id TYPE bloom_filter GRANULARITY 4,
    INDEX idx_external_run_id external_run_id TYPE bloom_filter GRANULARITY 4
)
ENGINE = ReplacingMergeTree(_row_version)
PARTITION BY toYYYYMM(occurred_at)
ORDER BY (project_id, id)
