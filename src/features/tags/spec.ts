/** Tags label documents and document templates; the slug defaults to the slugified name. */
import { countWhere, type OrgResourceSpec } from "../catalog/spec.ts";

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
    // TagResponse always carries relationships.documents (the SPA reads the count): the
    // documents labelled with the tag. The href is the reference's (not a route, §1.6).
    key: "documents",
    href: (org, slug, prefix) => `${prefix}/organizations/${org}/tags/${slug}/documents`,
    count: (sql, row) => countWhere("document_tags", "tag_id")(sql, row.id),
  }],
  // A tag that labels documents or templates is not deleted from under them (D2): 409 naming them.
  dependents: [
    { label: "documents", count: countWhere("document_tags", "tag_id") },
    { label: "document templates", count: countWhere("document_template_tags", "tag_id") },
  ],
};
