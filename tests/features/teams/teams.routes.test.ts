/** /organizations/{org_slug}/teams: the shared catalog suite (CRUD, JSON Patch, access, robustness). */
import { insertProject } from "../../helpers/catalog.ts";
import { orgResourceSuite } from "../../helpers/org-resource-suite.ts";

orgResourceSuite({
  segment: "teams",
  label: "Team",
  table: "teams",
  permissions: { create: "team:create", read: "team:read", update: "team:update", delete: "team:delete" },
  hasIcon: true,
  defaults: {},
  relationships: {
    projects: (org, slug) => `/organizations/${org}/projects?team=${slug}`,
    members: (org, slug) => `/organizations/${org}/teams/${slug}/members`,
  },
  invalid: [
    ["numeric icon", { icon: 3 }, "icon"],
    ["icon over 2048 chars", { icon: "i".repeat(2049) }, "icon"],
  ],
  block: async (t, orgId, teamId) => {
    const project = await insertProject(t, { orgId, teamId });
    return { words: "1 projects", unblock: async () => void await t.infra.sql`delete from projects where id = ${project}` };
  },
});
