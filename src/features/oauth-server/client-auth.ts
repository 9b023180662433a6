/**
 * Client authentication at the token endpoint (RFC 6749 §2.3.1): HTTP Basic with the
 * form-urlencoded id and secret, or client_id + client_secret in the body; never both.
 * Which method was tried decides how invalid_client is answered (401 + challenge for Basic).
 */
import { invalidClient, invalidRequest } from "./errors.ts";
import type { TokenParams } from "./grant.ts";

export interface ClientAuthentication {
  method: "client_secret_basic" | "client_secret_post" | "none";
  clientId?: string;
  clientSecret?: string;
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

function formDecode(value: string): string | undefined {
  try {
    return decodeURIComponent(value.replace(/\+/g, " "));
  } catch {
    return undefined;
  }
}

function fromBasic(encoded: string): { clientId: string; clientSecret: string } {
  const malformed = () => invalidClient("Malformed HTTP Basic client authentication", true);
  if (!BASE64.test(encoded)) throw malformed();
  const decoded = Buffer.from(encoded, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 0) throw malformed();
  const clientId = formDecode(decoded.slice(0, colon));
  const clientSecret = formDecode(decoded.slice(colon + 1));
  if (clientId === undefined || clientSecret === undefined) throw malformed();
  return { clientId, clientSecret };
}

export function readClientAuthentication(request: Request, params: TokenParams): ClientAuthentication {
  const header = request.headers.get("authorization");
  const basic = header ? /^basic\s+(\S+)\s*$/i.exec(header) : null;
  if (basic) {
    const credentials = fromBasic(basic[1]!);
    if (params.has("client_secret")) throw invalidRequest("Client authentication must use only one method");
    const bodyId = params.get("client_id");
    if (bodyId !== undefined && bodyId !== credentials.clientId) throw invalidRequest("client_id does not match the authenticated client");
    return { method: "client_secret_basic", ...credentials };
  }
  const clientId = params.get("client_id");
  const clientSecret = params.get("client_secret");
  return clientSecret === undefined ? { method: "none", clientId } : { method: "client_secret_post", clientId, clientSecret };
}
