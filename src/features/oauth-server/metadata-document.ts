/**
 * Client ID Metadata Documents (draft-ietf-oauth-client-id-metadata-document, the MCP
 * registration of choice): a client_id that is an https URL names a JSON document of client
 * metadata whose own `client_id` is that URL. We fetch it through the SSRF guard
 * (safe-fetch.ts), validate it like a registration, and cache the result for five minutes.
 */
import type { AppContext } from "../../context.ts";
import { validateClientMetadata, ClientMetadataError, type ClientMetadata } from "./client-metadata.ts";
import { overridesOf } from "./overrides.ts";
import { fetchJsonSafely, FetchRefusedError } from "./safe-fetch.ts";
import { storeKey, withStore } from "./store.ts";

const CACHE_SECONDS = 300;
const FETCH_TIMEOUT_MS = 5000;
const MAX_DOCUMENT_BYTES = 10 * 1024;
const MAX_URL_LENGTH = 2000;

export class MetadataDocumentError extends Error {}

export function isMetadataDocumentClientId(clientId: string): boolean {
  return clientId.toLowerCase().startsWith("https:");
}

/** The draft's rules for the URL itself: https, a path, no fragment, credentials or dot segments. */
function clientIdUrlProblem(clientId: string): string | undefined {
  if (clientId.length > MAX_URL_LENGTH) return "the client_id URL is too long";
  let url: URL;
  try {
    url = new URL(clientId);
  } catch {
    return "the client_id is not a URL";
  }
  if (url.protocol !== "https:") return "the client_id URL must be https";
  if (clientId.includes("#")) return "the client_id URL must not have a fragment";
  if (url.username || url.password) return "the client_id URL must not contain credentials";
  if (url.pathname === "/" || !url.pathname) return "the client_id URL must have a path";
  // The parser resolves dot segments away, so they are looked for in the text as sent.
  const rawPath = clientId.replace(/^https:\/\/[^/?#]*/i, "").split(/[?#]/)[0]!;
  if (/(^|\/)(\.|%2e){1,2}(\/|$)/i.test(rawPath)) return "the client_id URL must not contain dot segments";
  return undefined;
}

export async function loadMetadataDocument(ctx: AppContext, clientId: string): Promise<ClientMetadata> {
  const problem = clientIdUrlProblem(clientId);
  if (problem) throw new MetadataDocumentError(problem);
  const key = storeKey(ctx, "cimd", clientId);
  const cached = await withStore(ctx, () => ctx.infra.valkey.get(key));
  if (cached) return JSON.parse(cached) as ClientMetadata;

  let document: unknown;
  try {
    const testing = overridesOf(ctx).fetch;
    document = await fetchJsonSafely(clientId, {
      timeoutMs: testing?.timeoutMs ?? FETCH_TIMEOUT_MS, maxBytes: MAX_DOCUMENT_BYTES, allowAddress: testing?.allowAddress, ca: testing?.ca,
    });
  } catch (error) {
    if (error instanceof FetchRefusedError) throw new MetadataDocumentError(`the client metadata document could not be fetched: ${error.message}`);
    throw error;
  }
  if (typeof document !== "object" || document === null || (document as { client_id?: unknown }).client_id !== clientId) {
    throw new MetadataDocumentError("the client metadata document's client_id must equal its URL");
  }
  let metadata: ClientMetadata;
  try {
    metadata = validateClientMetadata(document);
  } catch (error) {
    if (error instanceof ClientMetadataError) throw new MetadataDocumentError(`the client metadata document is invalid: ${error.message}`);
    throw error;
  }
  await withStore(ctx, () => ctx.infra.valkey.set(key, JSON.stringify(metadata), "EX", CACHE_SECONDS));
  return metadata;
}
