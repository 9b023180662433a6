/**
 * The authorization server's ephemeral state in Valkey (D6): authorization codes, replay
 * markers, consent tickets, cached client metadata documents. Keys live under a namespace
 * named for the database, so installations (and test databases) sharing a Valkey never meet.
 * Valkey being down is a 503, never a 500 or a hang (the client fails fast, see infra/valkey.ts).
 */
import type { AppContext } from "../../context.ts";
import { UnavailableError } from "../../http/errors.ts";
import { hashSecret } from "../../lib/secrets.ts";

export function oauthNamespace(postgresUrl: string): string {
  try {
    const name = decodeURIComponent(new URL(postgresUrl).pathname.replace(/^\/+/, "")) || "imbi";
    return `imbi:${name}:oauth`;
  } catch {
    return "imbi:oauth";
  }
}

/** A key for a secret value: the secret itself never becomes a key (keys show up in MONITOR and dumps). */
export function storeKey(ctx: AppContext, kind: string, value: string): string {
  return `${oauthNamespace(ctx.settings.postgres.url)}:${kind}:${hashSecret(value)}`;
}

export async function withStore<T>(ctx: AppContext, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    ctx.logger.warn({ dependency: "valkey", err: error instanceof Error ? error.message : String(error) }, "OAuth state store unavailable");
    throw new UnavailableError("Authorization state store unavailable");
  }
}
