/**
 * The MCP server for one HTTP request (the endpoint is stateless): tools/list answers the
 * tool table, tools/call checks the arguments against the tool's schema and runs it as the
 * caller. What a tool refuses (bad arguments, 403, 404, 409, 422) comes back as a tool
 * error (`isError: true`) carrying the HTTP API's status and detail, so the model can read
 * and correct it; an unknown tool is a JSON-RPC error (-32602), as the MCP spec asks.
 */
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import {
  CallToolRequestSchema, ErrorCode, ListToolsRequestSchema, McpError, type CallToolRequest, type CallToolResult,
} from "@modelcontextprotocol/sdk/types.js";
import { Value } from "@sinclair/typebox/value";
import type { Logger } from "../../infra/logger.ts";
import { StoreUnavailableError } from "../../infra/clickhouse-query.ts";
import { HttpError } from "../../http/errors.ts";
import { VERSION } from "../../version.ts";
import type { Caller, Tool, ToolDeps } from "./tool.ts";

const INSTRUCTIONS = "Imbi is a service catalog: organizations hold projects, teams, environments and project types. "
  + "Start with list_organizations or search_catalog; every tool answers only with what the caller may read.";

/**
 * tools/call matched by its method alone: the SDK parses a request with the handler's schema
 * before its own tools/call check runs, so the full schema would turn malformed params into
 * an internal error (-32603); this way the SDK's check answers them with invalid params (-32602).
 */
const CallToolByMethod = CallToolRequestSchema.pick({ method: true }).loose();

const textResult = (value: unknown, isError = false): CallToolResult => ({
  content: [{ type: "text", text: JSON.stringify(value) }],
  ...(isError ? { isError } : {}),
});

/** Tool arguments failing the schema, in the D2 shape (loc under "arguments"). */
function argumentErrors(tool: Tool, args: unknown) {
  return [...Value.Errors(tool.input, args)].map((error) => {
    const loc = ["arguments", ...error.path.split("/").slice(1)];
    return error.value === undefined
      ? { type: "missing", loc, msg: "Field required" }
      : { type: "value_error", loc, msg: error.message, input: error.value };
  });
}

interface Outcome {
  result: CallToolResult;
  /** The HTTP API's status for the same outcome, for the log line. */
  status: number;
}

const failure = (status: number, detail: unknown): Outcome => ({ result: textResult({ status, detail }, true), status });

function errorOutcome(error: unknown, logger: Logger, tool: Tool): Outcome {
  if (error instanceof HttpError) return failure(error.status, error.detail);
  if (error instanceof StoreUnavailableError) return failure(503, `${error.store} is unavailable; try again later`);
  logger.error({ err: error, tool: tool.name }, "MCP tool failed");
  return failure(500, "Internal error");
}

async function runTool(tool: Tool, args: Record<string, unknown>, deps: ToolDeps, caller: Caller): Promise<Outcome> {
  const problems = argumentErrors(tool, args);
  if (problems.length) return failure(422, problems);
  try {
    return { result: textResult(await tool.run(deps, caller, args as never)), status: 200 };
  } catch (error) {
    return errorOutcome(error, deps.logger, tool);
  }
}

export function createMcpServer(tools: Tool[], deps: ToolDeps, caller: Caller): Server {
  const byName = new Map(tools.map((tool) => [tool.name, tool]));
  const server = new Server({ name: "imbi", title: "Imbi", version: VERSION }, { capabilities: { tools: {} }, instructions: INSTRUCTIONS });

  server.setRequestHandler(ListToolsRequestSchema, () => ({
    tools: tools.map((tool) => ({
      name: tool.name, title: tool.annotations.title, description: tool.description,
      inputSchema: tool.input as never, annotations: tool.annotations,
    })),
  }));

  server.setRequestHandler(CallToolByMethod, async (parsed) => {
    const request = parsed as CallToolRequest;
    const tool = byName.get(request.params.name);
    if (!tool) throw new McpError(ErrorCode.InvalidParams, `Unknown tool: ${request.params.name}`);
    const started = performance.now();
    const { result, status } = await runTool(tool, request.params.arguments ?? {}, deps, caller);
    // The access log shows only POST /mcp; this line says which tool ran, for whom, and how it ended.
    deps.logger.info({
      request_id: caller.meta.requestId, tool: tool.name, actor_type: caller.principal.kind, actor_id: caller.principal.id,
      status, duration_ms: Math.round((performance.now() - started) * 100) / 100,
    }, "mcp tool call");
    return result;
  });
  return server;
}
