/**
 * Projects and their releases: the MCP face of GET /organizations/{org_slug}/projects/,
 * …/projects/{project_id} and …/projects/{project_id}/releases/, with the same services and
 * the same permission (project:read in the organization named).
 */
import { Type } from "@sinclair/typebox";
import { getProject, listOrgProjects } from "../../projects/service.ts";
import { listProjectReleases } from "../../releases/service.ts";
import { defineTool, readOnly, requirePermission, type ToolDeps } from "../tool.ts";
import { OrgSlug, ProjectId } from "./args.ts";

const SlugFilter = (what: string) => Type.String({ minLength: 1, maxLength: 255, description: `Only projects of this ${what} (slug)` });

const projectsDeps = (deps: ToolDeps) => ({ sql: deps.sql, events: deps.events, prefix: deps.prefix });

export const projectTools = [
  defineTool({
    name: "list_projects",
    description: "The organization's projects by name, optionally filtered by team, project type or environment. "
      + "Items are summaries unless full=true; use get_project for one project's details.",
    input: Type.Object({
      organization: OrgSlug,
      team: Type.Optional(SlugFilter("team")),
      project_type: Type.Optional(SlugFilter("project type")),
      environment: Type.Optional(SlugFilter("environment")),
      include_archived: Type.Optional(Type.Boolean({ description: "Include archived projects (default false)" })),
      full: Type.Optional(Type.Boolean({ description: "Whole project documents instead of summaries (default false)" })),
    }, { additionalProperties: false }),
    annotations: readOnly("List projects"),
    async run(deps, caller, args) {
      requirePermission(deps, caller, "project:read", args.organization);
      return listOrgProjects(projectsDeps(deps), args.organization, {
        team: args.team, project_type: args.project_type, environment: args.environment,
        include_archived: args.include_archived ?? false, slim: !args.full,
      });
    },
  }),
  defineTool({
    name: "get_project",
    description: "One project: team, project types, environments (with their current releases), links, identifiers and attributes.",
    input: Type.Object({ organization: OrgSlug, project_id: ProjectId }, { additionalProperties: false }),
    annotations: readOnly("Get project"),
    async run(deps, caller, args) {
      requirePermission(deps, caller, "project:read", args.organization);
      return getProject(projectsDeps(deps), args.organization, args.project_id);
    },
  }),
  defineTool({
    name: "list_releases",
    description: "A project's releases, newest first, with their deployments per environment; optionally by exact tag or committish.",
    input: Type.Object({
      organization: OrgSlug,
      project_id: ProjectId,
      tag: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
      committish: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
    }, { additionalProperties: false }),
    annotations: readOnly("List releases"),
    async run(deps, caller, args) {
      requirePermission(deps, caller, "project:read", args.organization);
      const releasesDeps = { sql: deps.sql, events: deps.events, versionFormat: deps.settings.releases.version_format };
      return listProjectReleases(releasesDeps, args.organization, args.project_id, { tag: args.tag, committish: args.committish });
    },
  }),
];
