/**
 * Benchmark: uploads on a real `imbi serve` process with its own database and bucket.
 *   1. uploads/s and latency for 1 MB PNGs (each gets a WEBP thumbnail);
 *   2. the server's peak RSS (VmHWM) while eight 50 MB uploads stream at once.
 *   bun bench/uploads.ts [--connections 8] [--seconds 10]
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { randomBytes } from "node:crypto";
import { startSignedInServer } from "./lib/signed-in-server.ts";
import { loadSharp } from "../src/infra/image.ts";
import { runLoad } from "./lib/load.ts";
import { report } from "./lib/report.ts";

const { values } = parseArgs({
  args: Bun.argv.slice(2),
  options: { connections: { type: "string", default: "8" }, seconds: { type: "string", default: "10" } },
});
const connections = Number(values.connections);
const seconds = Number(values.seconds);

const peakRssMiB = (pid: number) => {
  const line = readFileSync(`/proc/${pid}/status`, "utf8").split("\n").find((l) => l.startsWith("VmHWM:"));
  return Math.round(Number(line?.replace(/\D+/g, "") ?? 0) / 1024);
};

const { server, accessToken, close } = await startSignedInServer({ S3_MAX_FILE_SIZE: String(60 * 1024 * 1024) });
const headers = { authorization: `Bearer ${accessToken}` };
try {
  // Random pixels do not compress: a 580×580 RGB PNG is about 1 MB.
  const sharp = await loadSharp();
  const png = await sharp(randomBytes(580 * 580 * 3), { raw: { width: 580, height: 580, channels: 3 } }).png().toBuffer();
  const form = new FormData();
  form.append("file", new Blob([png], { type: "image/png" }), "noise.png");
  const result = await runLoad({
    url: `${server.base}/uploads/`, connections, durationMs: seconds * 1000, warmupMs: 1000,
    init: { method: "POST", body: form, headers },
  });
  report(`POST /uploads/ (${(png.byteLength / 2 ** 20).toFixed(2)} MiB PNG + thumbnail)`, { connections, seconds }, result);

  const before = peakRssMiB(server.proc.pid);
  const big = new Uint8Array(50 * 1024 * 1024);
  big.set(new TextEncoder().encode("%PDF-1.7\n"));
  const started = performance.now();
  const responses = await Promise.all(Array.from({ length: 8 }, () => {
    const body = new FormData();
    body.append("file", new Blob([big], { type: "application/pdf" }), "big.pdf");
    return fetch(`${server.base}/uploads/`, { method: "POST", body, headers });
  }));
  const elapsed = (performance.now() - started) / 1000;
  console.log(`\n8 concurrent 50 MiB uploads: statuses ${responses.map((r) => r.status).join(",")}, ${elapsed.toFixed(1)} s`);
  console.log(`  server peak RSS  before ${before} MiB, after ${peakRssMiB(server.proc.pid)} MiB`);
} finally {
  await close();
}
