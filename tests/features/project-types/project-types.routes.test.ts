/** /organizations/{org_slug}/project-types: the shared catalog suite (CRUD, JSON Patch, access, robustness). */
import { insertProject, insertTeam } from "../../helpers/catalog.ts";
import { orgResourceSuite } from "../../helpers/org-resource-suite.ts";

orgResourceSuite({
  segment: "project-types",
  label: "Project type",
  table: "project_types",
  permissions: { create: "project_type:create", read: "project_type:read", update: "project_type:update", delete: "project_type:delete" },
  hasIcon: true,
  defaults: { deployable: false, releasable: false, tag_formats: [] },
  relationships: { projects: (org, slug) => `/organizations/${org}/projects?project_type=${slug}` },
  invalid: [
    ["deployable and releasable", { deployable: true, releasable: true }, "releasable"],
    ["string deployable", { deployable: "yes" }, "deployable"],
    ["tag_formats as an object", { tag_formats: { label: "v", pattern: "^v" } }, "tag_formats"],
    ["tag_formats as a string", { tag_formats: "^v" }, "tag_formats"],
    ["a tag format without pattern", { tag_formats: [{ label: "v" }] }, "tag_formats.0.pattern"],
    ["a tag format with an empty label", { tag_formats: [{ label: "", pattern: "^v" }] }, "tag_formats.0.label"],
    ["a tag format label over 64 chars", { tag_formats: [{ label: "l".repeat(65), pattern: "^v" }] }, "tag_formats.0.label"],
    ["a tag format pattern over 512 chars", { tag_formats: [{ label: "v", pattern: "a".repeat(513) }] }, "tag_formats.0.pattern"],
    ["an invalid regex", { tag_formats: [{ label: "ok", pattern: "^v\\d+" }, { label: "bad", pattern: "(unclosed" }] }, "tag_formats.1.pattern"],
    ["an invalid quantifier", { tag_formats: [{ label: "bad", pattern: "*" }] }, "tag_formats.0.pattern"],
    ["over 100 tag formats", { tag_formats: Array.from({ length: 101 }, (_, i) => ({ label: `l${i}`, pattern: "x" })) }, "tag_formats"],
  ],
  block: async (t, orgId, projectTypeId) => {
    const team = await insertTeam(t, orgId);
    const project = await insertProject(t, { orgId, teamId: team.id, projectTypeIds: [projectTypeId] });
    return { words: "1 projects", unblock: async () => void await t.infra.sql`delete from projects where id = ${project}` };
  },
});
