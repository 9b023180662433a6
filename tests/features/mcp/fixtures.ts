/**
 * MCP test helpers: the SDK's own client (Client + StreamableHTTPClientTransport) connected
 * to a listening test app as a given bearer, and a tools/call whose JSON text is parsed.
 */
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";

/** Search stays lexical and no model download starts in the background (the tests need neither). */
export const NO_EMBEDDINGS = { EMBEDDINGS_ENABLED: "false" };

export async function connect(base: string, token: string): Promise<Client> {
  const client = new Client({ name: "imbi-tests", version: "1.0.0" });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${base}/mcp`), {
    requestInit: { headers: { authorization: `Bearer ${token}` } },
  }));
  return client;
}

export interface ToolAnswer {
  isError: boolean;
  /** The tool's JSON answer (a result, or {status, detail} when isError). */
  body: any;
}

export async function callTool(client: Client, name: string, args: Record<string, unknown> = {}): Promise<ToolAnswer> {
  const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
  const [first] = result.content;
  if (first?.type !== "text") throw new Error(`unexpected tool content: ${JSON.stringify(result.content)}`);
  return { isError: result.isError === true, body: JSON.parse(first.text) };
}

/** A successful call's JSON (fails the test with the tool error otherwise). */
export async function toolData(client: Client, name: string, args: Record<string, unknown> = {}): Promise<any> {
  const answer = await callTool(client, name, args);
  if (answer.isError) throw new Error(`${name} failed: ${JSON.stringify(answer.body)}`);
  return answer.body;
}
