/**
 * The organization-scoped catalog entities (teams, environments, project types): one list
 * tool each, over the same service and permission as GET /organizations/{org_slug}/{segment}/.
 */
import { Type } from "@sinclair/typebox";
import type { OrgResourceSpec } from "../../catalog/spec.ts";
import { orgResourceService } from "../../catalog/org-resource-service.ts";
import { ENVIRONMENTS } from "../../environments/spec.ts";
import { PROJECT_TYPES } from "../../project-types/spec.ts";
import { TEAMS } from "../../teams/spec.ts";
import { defineTool, readOnly, requirePermission } from "../tool.ts";
import { OrgSlug } from "./args.ts";

function listTool(name: string, title: string, description: string, spec: OrgResourceSpec) {
  return defineTool({
    name,
    description,
    input: Type.Object({ organization: OrgSlug }, { additionalProperties: false }),
    annotations: readOnly(title),
    async run(deps, caller, args) {
      requirePermission(deps, caller, spec.permissions.read, args.organization);
      return orgResourceService(deps.sql, spec, deps.prefix).list(args.organization);
    },
  });
}

export const orgResourceTools = [
  listTool("list_teams", "List teams", "The organization's teams, with member and project counts.", TEAMS),
  listTool("list_environments", "List environments", "The organization's environments (staging, production, …) in their sort order.", ENVIRONMENTS),
  listTool("list_project_types", "List project types", "The organization's project types (HTTP API, consumer, library, …).", PROJECT_TYPES),
];
