/** Where the API lives: IMBI_API_URL's path is the prefix of every API route. */
import type { Settings } from "../config/settings.ts";

export function apiPrefix(server: Settings["server"]): string {
  if (!server.url) return "";
  return new URL(server.url).pathname.replace(/\/+$/, "");
}

/** IMBI_API_URL, or http://{host}:{port} for development loopback. */
export function publicBaseUrl(server: Settings["server"]): string {
  return (server.url || `http://${server.host}:${server.port}`).replace(/\/+$/, "");
}
