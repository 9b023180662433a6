// S3: stack/s3-server.ts (s3rver) storing objects under <dir>/s3.
import { join } from "node:path";
import { ListBucketsCommand, S3Client } from "@aws-sdk/client-s3";
import { spawnDetached, waitUntilReady } from "../proc.ts";
import { REPO_ROOT, type ServiceRecord, type StackState } from "../state.ts";
import type { Service } from "./index.ts";

async function probe(state: StackState, record: Pick<ServiceRecord, "ports">): Promise<void> {
  const client = new S3Client({
    endpoint: `http://127.0.0.1:${record.ports.http}`,
    region: state.s3.region,
    forcePathStyle: true,
    credentials: { accessKeyId: state.s3.accessKey, secretAccessKey: state.s3.secretKey },
    maxAttempts: 1,
  });
  try {
    const { Buckets = [] } = await client.send(new ListBucketsCommand({}), { abortSignal: AbortSignal.timeout(2000) });
    if (!Buckets.some((b) => b.Name === state.s3.bucket)) throw new Error(`bucket ${state.s3.bucket} is missing`);
  } finally {
    client.destroy();
  }
}

export const s3: Service = {
  name: "s3",
  portNames: ["http"],
  async start({ state, ports, log, timeoutMs, spawned }) {
    const cmd = [
      process.execPath,
      join(import.meta.dir, "..", "s3-server.ts"),
      "--port", String(ports.http),
      "--dir", join(state.dir, "s3"),
      "--bucket", state.s3.bucket,
    ];
    const proc = await spawnDetached({ cmd, log, cwd: REPO_ROOT });
    const record = { ...proc, log, ports: { http: ports.http! } };
    spawned(record);
    await waitUntilReady("s3", proc, log, () => probe(state, record), timeoutMs);
  },
  probe,
};
