// SMTP capture: stack/smtp-capture.ts, an SMTP sink with a Mailpit-compatible API.
import { join } from "node:path";
import { httpGet, tcpExpect } from "../probes.ts";
import { spawnDetached, waitUntilReady } from "../proc.ts";
import { REPO_ROOT, type ServiceRecord } from "../state.ts";
import type { Service } from "./index.ts";

async function probe(_state: unknown, record: Pick<ServiceRecord, "ports">): Promise<void> {
  await tcpExpect(record.ports.smtp!, "220 ");
  await httpGet(`http://127.0.0.1:${record.ports.http}/api/v1/messages`);
}

export const smtp: Service = {
  name: "smtp",
  portNames: ["smtp", "http"],
  async start({ state, ports, log, timeoutMs, spawned }) {
    const cmd = [
      process.execPath,
      join(import.meta.dir, "..", "smtp-capture.ts"),
      "--smtp-port", String(ports.smtp),
      "--http-port", String(ports.http),
    ];
    const proc = await spawnDetached({ cmd, log, cwd: REPO_ROOT });
    const record = { ...proc, log, ports: { smtp: ports.smtp!, http: ports.http! } };
    spawned(record);
    await waitUntilReady("smtp", proc, log, () => probe(state, record), timeoutMs);
  },
  probe,
};
