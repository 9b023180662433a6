/** Project types (a project has one or more, ADR 0006); deployable and releasable exclude each other. */
import { t } from "elysia";
import type { OrgResourceSpec } from "../catalog/spec.ts";
import { countWhere } from "../catalog/spec.ts";

export const TagFormat = t.Object({
  label: t.String({ minLength: 1, maxLength: 64 }),
  pattern: t.String({ minLength: 1, maxLength: 512 }),
});

/** A tag format's pattern must compile, or the 422 names it. */
export function checkTagFormats(formats: unknown, field = "tag_formats") {
  for (const [index, format] of (Array.isArray(formats) ? formats : []).entries()) {
    try {
      new RegExp((format as { pattern: string }).pattern);
    } catch {
      return { field: `${field}/${index}/pattern`, msg: "Pattern is not a valid regular expression" };
    }
  }
  return undefined;
}

export const PROJECT_TYPES: OrgResourceSpec = {
  segment: "project-types",
  table: "project_types",
  label: "Project type",
  permissions: { create: "project_type:create", read: "project_type:read", update: "project_type:update", delete: "project_type:delete" },
  fields: {
    deployable: t.Boolean({ default: false }),
    releasable: t.Boolean({ default: false }),
    tag_formats: t.Array(TagFormat, { default: [], maxItems: 100 }),
  },
  hasIcon: true,
  orderBy: "name, slug",
  check: (doc) => doc.deployable && doc.releasable
    ? { field: "releasable", msg: "A project type cannot be both deployable and releasable" }
    : checkTagFormats(doc.tag_formats),
  relationships: [
    { key: "projects", href: (org, slug, prefix) => `${prefix}/organizations/${org}/projects?project_type=${slug}`, count: (sql, row) => countWhere("project_project_types", "project_type_id")(sql, row.id) },
  ],
  dependents: [{ label: "projects", count: countWhere("project_project_types", "project_type_id") }],
};
