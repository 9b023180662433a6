/**
 * What an MCP tool is here: a name, a TypeBox input schema (sent to clients as the tool's
 * JSON Schema and checked before the tool runs), and a function of the caller and the
 * checked arguments. Tools call the same services as the HTTP routes; `requirePermission`
 * is the tools' copy of the route option `{ permission }` (http/auth.ts): the permission is
 * checked in the organization the arguments name (D2), a denial is emitted as
 * permission.denied and ends the call with NotAllowedError.
 */
import type { Static, TObject } from "@sinclair/typebox";
import type { ClickHouseClient } from "@clickhouse/client";
import type { Settings } from "../../config/settings.ts";
import type { EventBus, RequestMeta } from "../../infra/events.ts";
import type { Logger } from "../../infra/logger.ts";
import type { Database } from "../../infra/postgres.ts";
import { NotAllowedError } from "../../http/errors.ts";
import { hasPermission, type Principal } from "../auth/principal.ts";
import type { SearchRuntime } from "../search/runtime.ts";

export interface ToolDeps {
  sql: Database;
  clickhouse: ClickHouseClient;
  events: EventBus;
  settings: Settings;
  logger: Logger;
  /** The search service's indexer and models (search_catalog). */
  search: SearchRuntime;
  /** The API path prefix, for the hrefs inside returned entities. */
  prefix: string;
}

/** Who is calling, from where: the HTTP request that carried the tools/call. */
export interface Caller {
  principal: Principal;
  meta: RequestMeta;
  /** The request path (/mcp), recorded in permission.denied events. */
  path: string;
}

export interface ToolAnnotations {
  title: string;
  readOnlyHint: boolean;
  destructiveHint?: boolean;
  idempotentHint?: boolean;
  openWorldHint: boolean;
}

export interface Tool<S extends TObject = TObject> {
  name: string;
  description: string;
  input: S;
  annotations: ToolAnnotations;
  run(deps: ToolDeps, caller: Caller, args: Static<S>): Promise<unknown>;
}

/** Keeps `run`'s argument type tied to the schema while the list holds plain Tools. */
export const defineTool = <S extends TObject>(tool: Tool<S>): Tool => tool as unknown as Tool;

/** Catalog reads: no side effects, nothing outside Imbi. */
export const readOnly = (title: string): ToolAnnotations => ({ title, readOnlyHint: true, openWorldHint: false });

/**
 * `permission` in `orgSlug`, or in any of the caller's organizations when none is named
 * (as routes without :org_slug do).
 */
export function requirePermission(deps: ToolDeps, caller: Caller, permission: string, orgSlug?: string): void {
  const { principal, meta } = caller;
  if (hasPermission(principal, permission, orgSlug)) return;
  deps.events.emit({
    type: "permission.denied", outcome: "failure", actor_type: principal.kind, actor_id: principal.id, actor_name: principal.name,
    ip: meta.ip, user_agent: meta.userAgent, request_id: meta.requestId,
    detail: { permission, organization: orgSlug ?? null, path: caller.path },
  });
  throw new NotAllowedError(`Permission denied: ${permission} required${orgSlug === undefined ? "" : ` in organization '${orgSlug}'`}`);
}
