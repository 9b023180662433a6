// PostgreSQL 15 from Debian's packages: a fresh cluster per stack, tuned for
// throwaway speed, TCP on 127.0.0.1 only, unix socket inside its data directory.
import { appendFileSync, chownSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import postgresClient from "postgres";
import { asUser, run, spawnDetached, terminate, waitForExit, waitUntilReady } from "../proc.ts";
import type { StackState } from "../state.ts";
import type { Service } from "./index.ts";

const PG_BIN = "/usr/lib/postgresql/15/bin";
// sun_path is 108 bytes; longer socket paths make PostgreSQL fail to start.
const MAX_SOCKET_PATH = 100;
export const PG_TMP_PREFIX = "imbi-stack-pg-";

function connectionUrl(state: StackState, port: number, database: string): string {
  const { user, password } = state.postgres;
  return `postgresql://${user}:${password}@127.0.0.1:${port}/${database}`;
}

async function withClient<T>(url: string, fn: (sql: postgresClient.Sql) => Promise<T>): Promise<T> {
  const sql = postgresClient(url, { max: 1, connect_timeout: 2, onnotice: () => {} });
  try {
    return await fn(sql);
  } finally {
    await sql.end({ timeout: 1 });
  }
}

interface Owner {
  user: string;
  uid: number;
  gid: number;
}

async function ownerOf(user: string): Promise<Owner> {
  const id = async (flag: string) => Number((await run(["id", flag, user])).trim());
  return { user, uid: await id("-u"), gid: await id("-g") };
}

/**
 * Creates the (empty) data directory and returns its parent. As root, PostgreSQL
 * runs as the `postgres` system user, which must own the data directory and be
 * able to reach it; when the stack dir's ancestors are closed to it (e.g. a
 * checkout under /root), the cluster goes to a private directory under /tmp.
 */
async function prepareRoot(dir: string, owner: Owner | null): Promise<string> {
  const dataDir = join(dir, "postgres");
  mkdirSync(dataDir, { mode: 0o700 });
  if (owner === null) return dir;
  chownSync(dataDir, owner.uid, owner.gid);
  if (await run(asUser(owner.user, ["test", "-w", dataDir])).then(() => true, () => false)) return dir;
  rmSync(dataDir, { recursive: true });
  const root = mkdtempSync(join(tmpdir(), PG_TMP_PREFIX));
  console.log(`  note: user ${owner.user} cannot reach ${dir}; PostgreSQL data goes to ${root}`);
  chownSync(root, owner.uid, owner.gid);
  mkdirSync(join(root, "postgres"), { mode: 0o700 });
  chownSync(join(root, "postgres"), owner.uid, owner.gid);
  return root;
}

async function start({ state, ports, log, timeoutMs, spawned }: Parameters<Service["start"]>[0]): Promise<void> {
  if (!existsSync(`${PG_BIN}/initdb`)) throw new Error(`PostgreSQL 15 is not installed; run: bash stack/install-deps.sh`);
  const port = ports.tcp!;
  const owner = process.getuid?.() === 0 ? await ownerOf("postgres") : null;
  const runAs = owner?.user ?? null;
  const root = await prepareRoot(state.dir, owner);
  const dataDir = join(root, "postgres");
  state.postgres.dataDir = dataDir;
  state.postgres.runAs = runAs;

  // initdb reads the superuser password from a file the cluster's user can read.
  const pwfile = join(root, "postgres.pwfile");
  writeFileSync(pwfile, `${state.postgres.password}\n`, { mode: 0o600 });
  if (owner !== null) chownSync(pwfile, owner.uid, owner.gid);
  try {
    const output = await run(
      asUser(runAs, [
        `${PG_BIN}/initdb`, "-D", dataDir, "-U", state.postgres.user, `--pwfile=${pwfile}`,
        "--encoding=UTF8", "--locale=C", "--auth-local=trust", "--auth-host=scram-sha-256",
        "--no-sync", "--no-instructions",
      ]),
      { cwd: root },
    );
    appendFileSync(log, output);
  } finally {
    rmSync(pwfile, { force: true });
  }

  const socketDir = `${dataDir}/.s.PGSQL.${port}`.length <= MAX_SOCKET_PATH ? dataDir : "";
  appendFileSync(
    join(dataDir, "postgresql.conf"),
    [
      "\n# bun stack/up.ts: throwaway cluster, loopback only, durability traded for speed",
      "listen_addresses = '127.0.0.1'",
      `port = ${port}`,
      `unix_socket_directories = '${socketDir}'`,
      "max_connections = 200",
      "fsync = off",
      "synchronous_commit = off",
      "full_page_writes = off",
      "",
    ].join("\n"),
  );

  const proc = await spawnDetached({ cmd: asUser(runAs, [`${PG_BIN}/postgres`, "-D", dataDir]), log, cwd: root });
  const record = { ...proc, log, ports: { tcp: port } };
  spawned(record);
  await waitUntilReady("postgres", proc, log, () => probe(state, record), timeoutMs);

  await withClient(connectionUrl(state, port, "postgres"), (sql) =>
    sql.unsafe(`CREATE DATABASE "${state.postgres.database}"`),
  );
  // Prove pgvector is usable without leaving the extension behind: migrations own that.
  await withClient(connectionUrl(state, port, state.postgres.database), (sql) =>
    sql
      .begin(async (tx) => {
        await tx`CREATE EXTENSION vector`;
        await tx`SELECT '[1,2,3]'::vector <-> '[3,2,1]'::vector AS distance`;
        throw new Rollback();
      })
      .catch((err) => {
        if (err instanceof Rollback) return;
        throw new Error(`pgvector does not work (${err.message}); run: bash stack/install-deps.sh`);
      }),
  );
}

class Rollback extends Error {}

async function probe(state: StackState, record: { ports: Record<string, number> }): Promise<void> {
  await withClient(connectionUrl(state, record.ports.tcp!, "postgres"), (sql) => sql`SELECT 1`);
}

/** `pg_ctl stop -m fast` as the cluster's user; signals only if pg_ctl cannot. */
async function stop(state: StackState, record: Parameters<typeof terminate>[0]): Promise<boolean> {
  const { dataDir, runAs } = state.postgres;
  try {
    await run(asUser(runAs, [`${PG_BIN}/pg_ctl`, "stop", "-D", dataDir, "-m", "fast", "-w", "-t", "30"]), {
      cwd: "/",
    });
  } catch (err) {
    console.error(`pg_ctl stop failed, signalling pid ${record.pid}: ${(err as Error).message}`);
    return terminate(record, 10_000);
  }
  return waitForExit(record, 10_000);
}

export const postgres: Service = { name: "postgres", portNames: ["tcp"], start, probe, stop };
