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
  relationships: [{
    // TagResponse always carries relationships.documents (the SPA reads the count). Documents
    // are not stored yet, so none can be tagged; the documents feature counts them here.
    key: "documents",
    href: (org, slug, prefix) => `${prefix}/organizations/${org}/tags/${slug}/documents`,
    count: async () => 0,
  }],
  dependents: [],
};
