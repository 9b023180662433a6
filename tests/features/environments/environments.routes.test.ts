/** /organizations/{org_slug}/environments: the shared catalog suite (CRUD, JSON Patch, access, robustness). */
import { insertProject, insertTeam } from "../../helpers/catalog.ts";
import { orgResourceSuite } from "../../helpers/org-resource-suite.ts";

orgResourceSuite({
  segment: "environments",
  label: "Environment",
  table: "environments",
  permissions: { create: "environment:create", read: "environment:read", update: "environment:update", delete: "environment:delete" },
  hasIcon: true,
  defaults: { sort_order: 0, label_color: null, can_deploy: true, can_promote: false },
  relationships: { projects: (org, slug) => `/organizations/${org}/projects?environment=${slug}` },
  invalid: [
    ["label_color without #", { label_color: "FF0000" }, "label_color"],
    ["3-digit label_color", { label_color: "#F00" }, "label_color"],
    ["label_color with non-hex digits", { label_color: "#GG0000" }, "label_color"],
    ["label_color with alpha", { label_color: "#FF000080" }, "label_color"],
    ["named label_color", { label_color: "red" }, "label_color"],
    ["numeric label_color", { label_color: 0xff0000 }, "label_color"],
    ["fractional sort_order", { sort_order: 1.5 }, "sort_order"],
    ["string sort_order", { sort_order: "1" }, "sort_order"],
    ["sort_order beyond the range", { sort_order: 1e12 }, "sort_order"],
    ["null sort_order", { sort_order: null }, "sort_order"],
    ["string can_deploy", { can_deploy: "true" }, "can_deploy"],
    ["numeric can_promote", { can_promote: 1 }, "can_promote"],
    ["null can_promote", { can_promote: null }, "can_promote"],
  ],
  block: async (t, orgId, environmentId) => {
    const team = await insertTeam(t, orgId);
    const project = await insertProject(t, { orgId, teamId: team.id, environmentIds: [environmentId] });
    return { words: "1 projects deployed in it", unblock: async () => void await t.infra.sql`delete from projects where id = ${project}` };
  },
});
