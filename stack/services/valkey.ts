// Valkey (or Redis, whichever the machine has) as a pure in-memory cache:
// no RDB snapshots, no AOF, bound to 127.0.0.1.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { tcpExpect } from "../probes.ts";
import { spawnDetached, waitUntilReady } from "../proc.ts";
import type { ServiceRecord } from "../state.ts";
import type { Service } from "./index.ts";

function serverBinary(): string {
  const binary = Bun.which("valkey-server") ?? Bun.which("redis-server");
  if (binary === null) throw new Error("neither valkey-server nor redis-server found; run: bash stack/install-deps.sh");
  return binary;
}

async function probe(_state: unknown, record: Pick<ServiceRecord, "ports">): Promise<void> {
  await tcpExpect(record.ports.tcp!, "+PONG", "*1\r\n$4\r\nPING\r\n");
}

export const valkey: Service = {
  name: "valkey",
  portNames: ["tcp"],
  async start({ state, ports, log, timeoutMs, spawned }) {
    const dataDir = join(state.dir, "valkey");
    mkdirSync(dataDir);
    const cmd = [
      serverBinary(),
      "--port", String(ports.tcp),
      "--bind", "127.0.0.1",
      "--save", "",
      "--appendonly", "no",
      "--dir", dataDir,
      "--daemonize", "no",
    ];
    const proc = await spawnDetached({ cmd, log, cwd: dataDir });
    const record = { ...proc, log, ports: { tcp: ports.tcp! } };
    spawned(record);
    await waitUntilReady("valkey", proc, log, () => probe(state, record), timeoutMs);
  },
  probe,
};
