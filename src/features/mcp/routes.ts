/**
 * /mcp at the host root (not under the API prefix): MCP Streamable HTTP, stateless. Each
 * POST is authenticated, then handled by a fresh MCP server and transport acting as that
 * caller. D5: an access token is accepted only when its audience is this endpoint (minted
 * by the authorization server for `resource=<origin>/mcp`); a token for the SPA's sign-in
 * (no audience) or for the API is refused. API keys are accepted, as the API accepts them.
 * Refusals get the 401 challenge that points clients at the protected-resource metadata.
 * Without sessions there is nothing to stream on GET or end on DELETE: both answer 405,
 * which the transport spec allows and clients expect. A request from a web page is served
 * only for a trusted origin (the transport spec's DNS-rebinding rule: a present, foreign
 * Origin is a 403).
 */
import { Elysia } from "elysia";
import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import type { AppContext } from "../../context.ts";
import { AuthenticationError, NotAllowedError } from "../../http/errors.ts";
import { requestMeta } from "../../http/request-context.ts";
import { authenticate, bearerToken, splitApiKey } from "../auth/authenticate.ts";
import type { Principal } from "../auth/principal.ts";
import { mcpResourceUrl } from "../oauth-server/resources.ts";
import { trustedOrigins, type RequestOriginSource } from "../../http/urls.ts";
import { challengeError } from "./challenge.ts";
import { createMcpServer } from "./server.ts";
import type { Tool, ToolDeps } from "./tool.ts";
import { documentTools } from "./tools/documents.ts";
import { operationsLogTools } from "./tools/operations-log.ts";
import { organizationTools } from "./tools/organizations.ts";
import { orgResourceTools } from "./tools/org-resources.ts";
import { projectTools } from "./tools/projects.ts";
import { searchTools } from "./tools/search.ts";

const MCP_PATH = "/mcp";

const TOOLS: Tool[] = [
  ...searchTools, ...organizationTools, ...orgResourceTools, ...projectTools, ...documentTools, ...operationsLogTools,
];

const methodNotAllowed = () => new Response(
  JSON.stringify({ jsonrpc: "2.0", error: { code: -32000, message: "Method not allowed: this endpoint is stateless; POST JSON-RPC messages" }, id: null }),
  { status: 405, headers: { allow: "POST", "content-type": "application/json" } },
);

export function mcpRoutes(ctx: AppContext) {
  const deps: ToolDeps = {
    sql: ctx.infra.sql, clickhouse: ctx.infra.clickhouse, events: ctx.events, settings: ctx.settings,
    logger: ctx.logger, search: ctx.search, prefix: ctx.prefix,
  };
  const authDeps = { sql: ctx.infra.sql, auth: ctx.settings.auth, codec: ctx.codec };

  /**
   * authenticate() refuses a token for another resource but accepts one without an audience
   * (the SPA's); D5 refuses those here too. Everything else is verified by authenticate().
   */
  async function checkAudience(token: string, resource: string): Promise<void> {
    if (splitApiKey(token)) return;
    const claims = await ctx.codec.verify(token, "access");
    if (claims.aud !== resource) throw new AuthenticationError("Token was not issued for this resource");
  }

  const allowedOrigins = trustedOrigins(ctx.settings.server);

  /** The caller, or the 401 challenge; `source` gives the resource URL this request reached. */
  async function callerOf(source: RequestOriginSource): Promise<Principal> {
    const origin = source.request.headers.get("origin");
    if (origin !== null && !allowedOrigins.has(origin)) throw new NotAllowedError(`Origin '${origin.slice(0, 200)}' is not allowed`);
    const resource = mcpResourceUrl(ctx.settings.server, source);
    const token = bearerToken(source.request);
    if (!token) throw challengeError(resource);
    let principal: Principal;
    try {
      await checkAudience(token, resource);
      principal = await authenticate(authDeps, token, { resource });
    } catch (error) {
      if (error instanceof AuthenticationError) throw challengeError(resource, { description: String(error.detail) });
      throw error;
    }
    if (principal.authMethod === "api_key") await ctx.rateLimits.limitApiKey(principal, source.request);
    return principal;
  }

  return new Elysia({ name: "imbi.mcp" })
    // Not for its route options (the challenge and the audience need the checks above) but for
    // its hooks: API-key requests get their RateLimit-* headers, as everywhere else.
    .use(ctx.auth)
    // parse: "none" leaves the body to the transport, which answers malformed JSON-RPC itself.
    .post(MCP_PATH, async (c) => {
      const principal = await callerOf(c);
      const server = createMcpServer(TOOLS, deps, { principal, meta: requestMeta(c), path: MCP_PATH });
      const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
      await server.connect(transport);
      try {
        return await transport.handleRequest(c.request);
      } finally {
        await server.close();
      }
    }, { parse: "none", detail: { hide: true } })
    .get(MCP_PATH, async (c) => {
      await callerOf(c);
      return methodNotAllowed();
    }, { detail: { hide: true } })
    .delete(MCP_PATH, async (c) => {
      await callerOf(c);
      return methodNotAllowed();
    }, { detail: { hide: true } });
}
