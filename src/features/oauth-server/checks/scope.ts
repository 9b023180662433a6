/**
 * The `scope` parameter (RFC 6749 §3.3): space-delimited permission names. A client limited
 * to some scopes may ask for a subset of them and gets exactly what it asked for; asking
 * nothing gets all of them. A client without scope limits may ask for any seeded permission.
 */
import { invalidScope } from "../errors.ts";

/** scope-token = 1*( %x21 / %x23-5B / %x5D-7E ) */
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

export function parseScope(raw: string | undefined): string[] {
  if (raw === undefined) return [];
  const tokens = raw.split(" ").filter(Boolean);
  if (tokens.some((token) => !SCOPE_TOKEN.test(token))) throw invalidScope("Malformed scope parameter");
  return [...new Set(tokens)];
}

export async function checkScope(
  requested: string[], allowed: string[], unknownPermissions: (names: string[]) => Promise<string[]>,
): Promise<string[]> {
  if (requested.length === 0) return [...allowed].sort();
  if (allowed.length > 0) {
    const outside = requested.filter((s) => !allowed.includes(s));
    if (outside.length) throw invalidScope(`Scope(s) not granted to this client: ${outside.join(", ")}`);
  } else {
    const unknown = await unknownPermissions(requested);
    if (unknown.length) throw invalidScope(`Unknown scope(s): ${unknown.join(", ")}`);
  }
  return [...requested].sort();
}
