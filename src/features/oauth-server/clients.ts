/**
 * Who an OAuth client is: a client registered through /auth/register (`mcp_…`), or an
 * https URL naming a Client ID Metadata Document. Either way the authorization server
 * knows its redirect URIs and that it is public (it authenticates with PKCE, not a secret).
 */
import type { AppContext } from "../../context.ts";
import { findRegisteredClient } from "./clients-repo.ts";
import { isMetadataDocumentClientId, loadMetadataDocument } from "./metadata-document.ts";

export interface OAuthClient {
  clientId: string;
  clientName: string | null;
  redirectUris: string[];
  grantTypes: string[];
  registration: "dynamic" | "metadata_document";
}

/** Resolves a client_id; undefined when no such client exists. Metadata-document failures throw MetadataDocumentError. */
export async function findClient(ctx: AppContext, clientId: string): Promise<OAuthClient | undefined> {
  if (isMetadataDocumentClientId(clientId)) {
    const metadata = await loadMetadataDocument(ctx, clientId);
    return { clientId, clientName: metadata.client_name, redirectUris: metadata.redirect_uris, grantTypes: metadata.grant_types, registration: "metadata_document" };
  }
  if (!/^mcp_[A-Za-z0-9_-]{1,64}$/.test(clientId)) return undefined;
  const row = await findRegisteredClient(ctx.infra.sql, clientId);
  return row && { clientId, clientName: row.client_name, redirectUris: row.redirect_uris, grantTypes: row.grant_types, registration: "dynamic" };
}
