/** The migration runner against a real PostgreSQL: order, idempotency, locking, checksums, rollback. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readdirSync } from "node:fs";
import postgres from "postgres";
import { migrate, MigrationError } from "../../src/infra/migrate.ts";
import { migration, POSTGRES_MIGRATIONS, CLICKHOUSE_MIGRATIONS } from "../../src/infra/migration-files.ts";
import { isolatedEnv } from "../helpers/app.ts";

const FIXTURES = [
  migration("0001_widgets.sql", "create table widgets (id serial primary key, name text not null);"),
  migration("0002_widget_color.sql", "alter table widgets add column color text not null default 'blue';"),
];

describe("PostgreSQL migrations", () => {
  let sql: postgres.Sql;
  let drop: () => Promise<void>;
  beforeAll(async () => {
    const isolated = await isolatedEnv();
    drop = isolated.drop;
    sql = postgres(isolated.env.POSTGRES_URL!, { max: 10, onnotice: () => {} });
  });
  afterAll(async () => {
    await sql.end();
    await drop();
  });

  test("applies pending files in order inside the schema, once, even when replicas race", async () => {
    const results = await Promise.all([1, 2, 3].map(() => migrate(sql, "race", FIXTURES)));
    expect(results.flat()).toEqual(["1 widgets", "2 widget_color"]);
    const rows = await sql`select version, name from race.schema_migrations order by version`;
    expect(rows.map((r) => r.name)).toEqual(["widgets", "widget_color"]);
    await sql`insert into race.widgets (name) values ('a')`;
    expect((await sql`select color from race.widgets`)[0]!.color).toBe("blue");
    expect(await migrate(sql, "race", FIXTURES)).toEqual([]);
  });

  test("an edited, already-applied migration stops startup", async () => {
    await migrate(sql, "edited", FIXTURES.slice(0, 1));
    const changed = [migration("0001_widgets.sql", "create table widgets (id bigserial primary key);")];
    expect(migrate(sql, "edited", changed)).rejects.toThrow(MigrationError);
  });

  test("a database newer than the binary is refused", async () => {
    await migrate(sql, "newer", FIXTURES);
    expect(migrate(sql, "newer", FIXTURES.slice(0, 1))).rejects.toThrow(/does not know/);
  });

  test("a failing migration rolls back entirely and is not recorded", async () => {
    const broken = [...FIXTURES, migration("0003_broken.sql", "create table gadgets (id int); select * from no_such_table;")];
    expect(migrate(sql, "broken", broken)).rejects.toThrow(/0003|broken/);
    await Bun.sleep(50);
    const versions = await sql`select version from broken.schema_migrations order by version`;
    expect(versions.map((r) => r.version)).toEqual([1, 2]);
    const gadgets = await sql`select to_regclass('broken.gadgets') as t`;
    expect(gadgets[0]!.t).toBeNull();
  });
});

describe("migration manifests", () => {
  test.each([
    ["postgres", POSTGRES_MIGRATIONS],
    ["clickhouse", CLICKHOUSE_MIGRATIONS],
  ])("every file in migrations/%s is compiled into the binary, in order", (dir, list) => {
    const files = readdirSync(new URL(`../../migrations/${dir}/`, import.meta.url)).filter((f) => f.endsWith(".sql")).sort();
    expect(list.map((m) => `${String(m.version).padStart(4, "0")}_${m.name}.sql`)).toEqual(files);
  });
});
