/** Environments projects are deployed in, ordered by sort_order then name. */
import { Type } from "@sinclair/typebox";
import type { OrgResourceSpec } from "../catalog/spec.ts";
import { countWhere } from "../catalog/spec.ts";
import { nullable } from "../catalog/document.ts";

export const ENVIRONMENTS: OrgResourceSpec = {
  segment: "environments",
  table: "environments",
  label: "Environment",
  permissions: { create: "environment:create", read: "environment:read", update: "environment:update", delete: "environment:delete" },
  fields: {
    sort_order: Type.Integer({ default: 0, minimum: -1_000_000, maximum: 1_000_000 }),
    label_color: nullable(Type.String({ pattern: "^#[0-9A-Fa-f]{6}$" })),
    can_deploy: Type.Boolean({ default: true }),
    can_promote: Type.Boolean({ default: false }),
  },
  hasIcon: true,
  orderBy: "sort_order, name, slug",
  relationships: [
    { key: "projects", href: (org, slug, prefix) => `${prefix}/organizations/${org}/projects?environment=${slug}`, count: (sql, row) => countWhere("project_environments", "environment_id")(sql, row.id) },
  ],
  dependents: [
    { label: "projects deployed in it", count: countWhere("project_environments", "environment_id") },
    { label: "release deployment events", count: countWhere("release_deployments", "environment_id") },
  ],
};
