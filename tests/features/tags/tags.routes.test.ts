/** /organizations/{org_slug}/tags: the shared catalog suite (CRUD, JSON Patch, access, robustness). */
import { orgResourceSuite } from "../../helpers/org-resource-suite.ts";

orgResourceSuite({
  segment: "tags",
  label: "Tag",
  table: "tags",
  permissions: { create: "tag:create", read: "tag:read", update: "tag:write", delete: "tag:delete" },
  hasIcon: false,
  defaults: {},
  relationships: { documents: (org, slug) => `/organizations/${org}/tags/${slug}/documents` },
  invalid: [],
});
