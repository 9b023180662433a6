-- Project events (reference-domain §16.1/§16.3). Idempotent: applied at every startup.
CREATE TABLE IF NOT EXISTS events
(
    id String DEFAULT '',
    project_id LowCardinality(String),
    recorded_at DateTime64(3, 'UTC'),
    type LowCardinality(String) DEFAULT '',
    integration LowCardinality(String) DEFAULT '',
    attributed_to LowCardinality(String) DEFAULT '',
    metadata JSON,
    payload JSON,
    version UInt8 DEFAULT 0
)
ENGINE = ReplacingMergeTree(version)
PARTITION BY toYYYYMM(recorded_at)
ORDER BY (project_id, id)
