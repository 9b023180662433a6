/**
 * The SQL migrations compiled into the binary. Files are imported as text so the single
 * executable carries them; tests/infra/migration-files.test.ts fails when a file in
 * migrations/ is missing from these lists.
 */
import pgIdentity from "../../migrations/postgres/0001_identity.sql" with { type: "text" };
import pgCatalog from "../../migrations/postgres/0002_catalog.sql" with { type: "text" };
import pgUploads from "../../migrations/postgres/0005_uploads.sql" with { type: "text" };
import pgEmail from "../../migrations/postgres/0006_email.sql" with { type: "text" };
import pgBlueprints from "../../migrations/postgres/0007_blueprints.sql" with { type: "text" };
import pgReleases from "../../migrations/postgres/0008_releases.sql" with { type: "text" };
import pgDocuments from "../../migrations/postgres/0009_documents.sql" with { type: "text" };
import pgWebhooksServices from "../../migrations/postgres/0010_webhooks_services.sql" with { type: "text" };
import pgOauthProviders from "../../migrations/postgres/0011_oauth_providers.sql" with { type: "text" };
import pgOauthClients from "../../migrations/postgres/0012_oauth_clients.sql" with { type: "text" };
import pgSearch from "../../migrations/postgres/0013_search.sql" with { type: "text" };
import chEvents from "../../migrations/clickhouse/0001_events.sql" with { type: "text" };
import chOperationsLog from "../../migrations/clickhouse/0002_operations_log.sql" with { type: "text" };
import chAuditLog from "../../migrations/clickhouse/0003_audit_log.sql" with { type: "text" };
import chApiKeyUsage from "../../migrations/clickhouse/0004_api_key_usage.sql" with { type: "text" };
import chEmailLog from "../../migrations/clickhouse/0005_email_log.sql" with { type: "text" };

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** "0003_api_keys.sql" → { version: 3, name: "api_keys" } */
export function migration(file: string, sql: string): Migration {
  const match = /^(\d{4})_([a-z0-9_]+)\.sql$/.exec(file);
  if (!match) throw new Error(`bad migration file name: ${file}`);
  return { version: Number(match[1]), name: match[2]!, sql };
}

export const POSTGRES_MIGRATIONS: Migration[] = [
  migration("0001_identity.sql", pgIdentity),
  migration("0002_catalog.sql", pgCatalog),
  migration("0005_uploads.sql", pgUploads),
  migration("0006_email.sql", pgEmail),
  migration("0007_blueprints.sql", pgBlueprints),
  migration("0008_releases.sql", pgReleases),
  migration("0009_documents.sql", pgDocuments),
  migration("0010_webhooks_services.sql", pgWebhooksServices),
  migration("0011_oauth_providers.sql", pgOauthProviders),
  migration("0012_oauth_clients.sql", pgOauthClients),
  migration("0013_search.sql", pgSearch),
];

/** ClickHouse DDL is idempotent (IF NOT EXISTS) and applied in full at every startup. */
export const CLICKHOUSE_MIGRATIONS: Migration[] = [
  migration("0001_events.sql", chEvents),
  migration("0002_operations_log.sql", chOperationsLog),
  migration("0003_audit_log.sql", chAuditLog),
  migration("0004_api_key_usage.sql", chApiKeyUsage),
  migration("0005_email_log.sql", chEmailLog),
];
