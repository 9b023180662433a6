/** Teams own projects; members are users (members.ts). */
import type { OrgResourceSpec } from "../catalog/spec.ts";
import { countWhere } from "../catalog/spec.ts";

export const TEAMS: OrgResourceSpec = {
  segment: "teams",
  table: "teams",
  label: "Team",
  permissions: { create: "team:create", read: "team:read", update: "team:update", delete: "team:delete" },
  fields: {},
  hasIcon: true,
  orderBy: "name, slug",
  relationships: [
    { key: "projects", href: (org, slug, prefix) => `${prefix}/organizations/${org}/projects?team=${slug}`, count: (sql, row) => countWhere("projects", "team_id")(sql, row.id) },
    { key: "members", href: (org, slug, prefix) => `${prefix}/organizations/${org}/teams/${slug}/members`, count: (sql, row) => countWhere("team_members", "team_id")(sql, row.id) },
  ],
  dependents: [{ label: "projects", count: countWhere("projects", "team_id") }],
};
