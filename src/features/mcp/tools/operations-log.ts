/**
 * The operations log: record an operation (a deploy, a restart, …) on a project, and read
 * entries back. Same service and permissions as POST and GET /operations-log/: the
 * permission in some organization first, then in the organization of the entry's project.
 */
import { Type } from "@sinclair/typebox";
import { UnprocessableError } from "../../../http/errors.ts";
import { OpsLogCreate } from "../../operations-log/model.ts";
import { createEntry, listEntries } from "../../operations-log/service.ts";
import { projectOwner } from "../../operations-log/access.ts";
import { defineTool, readOnly, requirePermission, type ToolDeps } from "../tool.ts";
import { Cursor, Limit, ProjectId } from "./args.ts";

const opsLogDeps = (deps: ToolDeps) => ({ sql: deps.sql, clickhouse: deps.clickhouse, events: deps.events });
const Filter = (description: string) => Type.Optional(Type.String({ minLength: 1, maxLength: 256, description }));
const Timestamp = (description: string) => Type.Optional(Type.String({ minLength: 1, maxLength: 64, description }));

export const operationsLogTools = [
  defineTool({
    name: "create_operations_log_entry",
    description: "Record an operation on a project in an environment (entry_type Deployed, Restarted, Rolled Back, …). "
      + "project_slug may be omitted: it is the project's current slug. The entry is attributed to the caller.",
    input: Type.Object({
      ...OpsLogCreate.properties,
      project_id: ProjectId,
      project_slug: Type.Optional(OpsLogCreate.properties.project_slug),
    }, { additionalProperties: false }),
    annotations: { title: "Record operations-log entry", readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    async run(deps, caller, args) {
      requirePermission(deps, caller, "operations_log:create");
      const project_slug = args.project_slug ?? (await projectOwner(deps.sql, args.project_id))?.slug;
      if (project_slug === undefined) {
        throw new UnprocessableError([{ type: "value_error", loc: ["body", "project_id"], msg: `Project '${args.project_id}' not found`, input: args.project_id }]);
      }
      return createEntry(opsLogDeps(deps), caller.principal, { ...args, project_slug }, caller.meta, caller.path);
    },
  }),
  defineTool({
    name: "list_operations_log",
    description: "Operations-log entries of the projects the caller may read, newest first, with summary metrics on the first page. "
      + "Exact filters; since ≤ occurred_at < until (ISO-8601); page with next_cursor.",
    input: Type.Object({
      project_id: Type.Optional(ProjectId),
      project_slug: Filter("Project slug"),
      environment_slug: Filter("Environment slug"),
      entry_type: Filter("Deployed, Restarted, Rolled Back, …"),
      ticket_slug: Filter("Ticket"),
      performed_by: Filter("Who performed the operation"),
      since: Timestamp("Earliest occurred_at (inclusive)"),
      until: Timestamp("Latest occurred_at (exclusive)"),
      limit: Type.Optional(Limit),
      cursor: Type.Optional(Cursor),
    }, { additionalProperties: false }),
    annotations: readOnly("List operations log"),
    async run(deps, caller, args) {
      requirePermission(deps, caller, "operations_log:read");
      const page = await listEntries(opsLogDeps(deps), caller.principal, { ...args, limit: args.limit?.toString() });
      return { metrics: page.metrics, data: page.data, next_cursor: page.next };
    },
  }),
];
