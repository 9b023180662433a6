/** Tags label documents and document templates; the slug defaults to the slugified name. */
import type { OrgResourceSpec } from "../catalog/spec.ts";

export const TAGS: OrgResourceSpec = {
  segment: "tags",
  table: "tags",
  label: "Tag",
  permissions: { create: "tag:create", read: "tag:read", update: "tag:write", delete: "tag:delete" },
  fields: {},
  hasIcon: false,
  slugFromName: true,
  orderBy: "name, slug",
  relationships: [],
  dependents: [],
};
