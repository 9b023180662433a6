/**
 * Forward-only SQL migrations for PostgreSQL. Every replica runs this at startup; an
 * advisory lock makes exactly one of them apply the pending files while the others wait
 * and then find nothing to do. Each file runs in its own transaction and is recorded with
 * a checksum, so an edited, already-applied migration is detected instead of ignored.
 */
import { createHash } from "node:crypto";
import type { Database } from "./postgres.ts";
import { POSTGRES_MIGRATIONS, type Migration } from "./migration-files.ts";

export class MigrationError extends Error {}

const checksum = (sql: string) => createHash("sha256").update(sql).digest("hex");

export async function migrate(
  sql: Database, schema: string, migrations: Migration[] = POSTGRES_MIGRATIONS,
): Promise<string[]> {
  const connection = await sql.reserve();
  const table = `"${schema}".schema_migrations`;
  try {
    await connection`select pg_advisory_lock(hashtext(${`imbi:migrate:${schema}`}))`;
    await connection.unsafe(`create schema if not exists "${schema}"`);
    await connection.unsafe(`create table if not exists ${table} (
      version integer primary key, name text not null, checksum text not null,
      applied_at timestamptz not null default now())`);
    const rows = await connection.unsafe<{ version: number; name: string; checksum: string }[]>(
      `select version, name, checksum from ${table} order by version`);
    const known = new Map(migrations.map((m) => [m.version, m]));
    for (const row of rows) {
      const local = known.get(row.version);
      if (!local) {
        throw new MigrationError(`the database has migration ${row.version} (${row.name}) that this imbi does not know; run the newer imbi release`);
      }
      if (checksum(local.sql) !== row.checksum) {
        throw new MigrationError(`migration ${row.version} (${row.name}) was changed after it was applied; restore the original file`);
      }
    }
    const applied = new Set(rows.map((r) => r.version));
    const done: string[] = [];
    for (const migration of migrations.filter((m) => !applied.has(m.version))) {
      await connection.unsafe("begin");
      try {
        await connection.unsafe(`set local search_path to "${schema}", public`);
        await connection.unsafe(migration.sql);
        await connection.unsafe(`insert into ${table} (version, name, checksum) values ($1, $2, $3)`,
          [migration.version, migration.name, checksum(migration.sql)]);
        await connection.unsafe("commit");
      } catch (error) {
        await connection.unsafe("rollback");
        throw new MigrationError(`migration ${migration.version} (${migration.name}) failed: ${(error as Error).message}`);
      }
      done.push(`${migration.version} ${migration.name}`);
    }
    return done;
  } finally {
    await connection`select pg_advisory_unlock(hashtext(${`imbi:migrate:${schema}`}))`.catch(() => {});
    connection.release();
  }
}
