/** Read-only commands: `imbi config`, `imbi version`, `imbi generate-secrets`, `imbi healthcheck`. */
import { randomBytes } from "node:crypto";
import { effectiveSettings, formatAsToml } from "../config/describe.ts";
import { generateFernetKey } from "../lib/fernet.ts";
import { apiPrefix } from "../http/urls.ts";
import { COMMIT, VERSION } from "../version.ts";
import { loadConfigOrExit } from "./load-config.ts";

export function printConfig(options: { json?: boolean }): void {
  const config = loadConfigOrExit();
  const rows = effectiveSettings(config);
  console.log(options.json ? JSON.stringify(rows, null, 2) : formatAsToml(rows));
  for (const warning of config.warnings) process.stderr.write(`warning: ${warning}\n`);
}

export function printVersion(): void {
  console.log(`imbi ${VERSION} (commit ${COMMIT}, bun ${Bun.version}, ${process.platform}-${process.arch})`);
}

export function printSecrets(): void {
  console.log(`IMBI_AUTH_JWT_SECRET=${randomBytes(32).toString("base64url")}`);
  console.log(`IMBI_AUTH_ENCRYPTION_KEY=${generateFernetKey()}`);
}

/** For container HEALTHCHECKs: GET {prefix}/status on this host's port; exit 0 when healthy. */
export async function healthcheck(): Promise<void> {
  const { settings } = loadConfigOrExit();
  const host = ["0.0.0.0", "::", ""].includes(settings.server.host) ? "127.0.0.1" : settings.server.host;
  const url = `http://${host.includes(":") ? `[${host}]` : host}:${settings.server.port}${apiPrefix(settings.server)}/status`;
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(5000) });
    const body = (await response.json()) as { status?: string };
    console.log(`${response.status} ${body.status ?? ""}`);
    process.exit(response.ok ? 0 : 1);
  } catch (error) {
    console.error(`unhealthy: ${(error as Error).message}`);
    process.exit(1);
  }
}
