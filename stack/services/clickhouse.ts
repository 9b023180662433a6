// ClickHouse: stack/clickhouse-adapter.ts, the HTTP interface over embedded chdb.
import { join } from "node:path";
import { httpGet } from "../probes.ts";
import { spawnDetached, waitUntilReady } from "../proc.ts";
import { REPO_ROOT, type ServiceRecord } from "../state.ts";
import type { Service } from "./index.ts";

async function probe(_state: unknown, record: Pick<ServiceRecord, "ports">): Promise<void> {
  const body = await httpGet(`http://127.0.0.1:${record.ports.http}/ping`);
  if (body !== "Ok.\n") throw new Error(`unexpected /ping answer ${JSON.stringify(body)}`);
}

export const clickhouse: Service = {
  name: "clickhouse",
  portNames: ["http"],
  async start({ state, ports, log, timeoutMs, spawned }) {
    const { user, password, database } = state.clickhouse;
    const cmd = [
      process.execPath,
      join(import.meta.dir, "..", "clickhouse-adapter.ts"),
      "--port", String(ports.http),
      "--data", join(state.dir, "clickhouse"),
      "--database", database,
    ];
    // Credentials go through the environment, not argv (which `ps` shows to everyone).
    const env = { ...process.env, CLICKHOUSE_USER: user, CLICKHOUSE_PASSWORD: password };
    const proc = await spawnDetached({ cmd, log, cwd: REPO_ROOT, env });
    const record = { ...proc, log, ports: { http: ports.http! } };
    spawned(record);
    await waitUntilReady("clickhouse", proc, log, () => probe(state, record), timeoutMs);
  },
  probe,
};
