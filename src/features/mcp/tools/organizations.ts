/**
 * Who the caller is and which organizations they can see: the MCP face of GET /users/me,
 * GET /organizations/ and GET /organizations/{org_slug}.
 */
import { Type } from "@sinclair/typebox";
import { effectivePermissions } from "../../auth/principal.ts";
import { organizationService } from "../../organizations/service.ts";
import { currentUser } from "../../users/service.ts";
import { defineTool, readOnly, requirePermission } from "../tool.ts";
import { OrgSlug } from "./args.ts";

export const organizationTools = [
  defineTool({
    name: "get_current_user",
    description: "The caller: profile, organization memberships and effective permissions (what the other tools will allow).",
    input: Type.Object({}, { additionalProperties: false }),
    annotations: readOnly("Current user"),
    async run(deps, { principal }) {
      if (principal.kind === "user") return currentUser({ sql: deps.sql, events: deps.events, auth: deps.settings.auth }, principal);
      return {
        kind: principal.kind,
        slug: principal.name,
        organizations: [...principal.permissionsByOrg.keys()].sort()
          .map((slug) => ({ organization_slug: slug, permissions: [...effectivePermissions(principal, slug)].sort() })),
      };
    },
  }),
  defineTool({
    name: "list_organizations",
    description: "Organizations the caller may read, with counts of their teams, members and projects.",
    input: Type.Object({}, { additionalProperties: false }),
    annotations: readOnly("List organizations"),
    async run(deps, caller) {
      requirePermission(deps, caller, "organization:read");
      return organizationService(deps.sql, deps.prefix).list(caller.principal);
    },
  }),
  defineTool({
    name: "get_organization",
    description: "One organization by slug.",
    input: Type.Object({ organization: OrgSlug }, { additionalProperties: false }),
    annotations: readOnly("Get organization"),
    async run(deps, caller, args) {
      requirePermission(deps, caller, "organization:read", args.organization);
      return organizationService(deps.sql, deps.prefix).get(args.organization);
    },
  }),
];
