/** Project types (a project has one or more, ADR 0006); deployable and releasable exclude each other. */
import { Type } from "@sinclair/typebox";
import type { OrgResourceSpec } from "../catalog/spec.ts";
import { countWhere } from "../catalog/spec.ts";
import { TagFormat, type RuleProblem } from "../catalog/document.ts";

export { TagFormat } from "../catalog/document.ts";

/** Tag formats of an organization or a project type: at most 100, each pattern a valid regular expression. */
export const TagFormats = Type.Array(TagFormat, { default: [], maxItems: 100 });

/** A tag format's pattern must compile (JavaScript syntax), or the 422 names it. */
export function checkTagFormats(formats: unknown, field = "tag_formats"): RuleProblem | undefined {
  for (const [index, format] of (Array.isArray(formats) ? formats : []).entries()) {
    const pattern = (format as { pattern: string }).pattern;
    try {
      new RegExp(pattern);
    } catch {
      return { field: `${field}/${index}/pattern`, msg: "Pattern is not a valid regular expression", input: pattern };
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
    deployable: Type.Boolean({ default: false }),
    releasable: Type.Boolean({ default: false }),
    tag_formats: TagFormats,
  },
  hasIcon: true,
  orderBy: "name, slug",
  check: (doc) => doc.deployable && doc.releasable
    ? { field: "releasable", msg: "A project type cannot be both deployable and releasable", input: true }
    : checkTagFormats(doc.tag_formats),
  relationships: [
    { key: "projects", href: (org, slug, prefix) => `${prefix}/organizations/${org}/projects?project_type=${slug}`, count: (sql, row) => countWhere("project_project_types", "project_type_id")(sql, row.id) },
  ],
  dependents: [{ label: "projects", count: countWhere("project_project_types", "project_type_id") }],
};
