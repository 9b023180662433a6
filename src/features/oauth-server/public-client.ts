/**
 * Public clients (registered or metadata-document) identify themselves with client_id
 * alone; PKCE and refresh-token binding stand in for a secret. A secret sent anyway means
 * the client believes it is confidential: refused rather than ignored.
 */
import { invalidClient, invalidRequest } from "./errors.ts";
import type { ClientAuthentication } from "./client-auth.ts";

export function publicClientId(client: ClientAuthentication): string {
  if (client.method !== "none") throw invalidClient("OAuth clients of this server are public and must not send a client secret", client.method === "client_secret_basic");
  if (!client.clientId) throw invalidRequest("Missing client_id parameter");
  return client.clientId;
}
