/**
 * The Valkey client (iovalkey). `valkey://` and `valkeys://` URLs are the redis ones under
 * another name. The offline queue is off so a command fails at once while Valkey is down,
 * instead of hanging the request; the client keeps reconnecting in the background.
 */
import Redis from "iovalkey";
import type { Settings } from "../config/settings.ts";
import { withTimeout } from "./retry.ts";
import { telemetry } from "./telemetry.ts";

export type Valkey = Redis;

export function toRedisUrl(url: string): string {
  return url.replace(/^valkeys:/, "rediss:").replace(/^valkey:/, "redis:");
}

/** Traced (telemetry/valkey.ts) when OpenTelemetry runs. */
export function createValkey(settings: Settings["valkey"]): Valkey {
  const client = new Redis(toRedisUrl(settings.url), {
    lazyConnect: true,
    enableOfflineQueue: false,
    connectTimeout: 5000,
    maxRetriesPerRequest: 1,
    retryStrategy: (times) => Math.min(times * 200, 5000),
  });
  return telemetry()?.instrumentValkey(client) ?? client;
}

export async function connectValkey(client: Valkey): Promise<void> {
  await withTimeout(client.connect(), 5000, "Valkey connect");
}

export async function pingValkey(client: Valkey): Promise<void> {
  await withTimeout(client.ping(), 2000, "Valkey ping");
}

export async function closeValkey(client: Valkey): Promise<void> {
  client.disconnect();
}
