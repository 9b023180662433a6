/** /organizations/{org_slug}/link-definitions: the shared catalog suite (CRUD, JSON Patch, access, robustness). */
import { orgResourceSuite } from "../../helpers/org-resource-suite.ts";

orgResourceSuite({
  segment: "link-definitions",
  label: "Link definition",
  table: "link_definitions",
  permissions: { create: "link_definition:create", read: "link_definition:read", update: "link_definition:write", delete: "link_definition:delete" },
  hasIcon: true,
  defaults: { url_template: null },
  relationships: { projects: () => "" },
  invalid: [
    ["numeric url_template", { url_template: 1 }, "url_template"],
    ["url_template over 2048 chars", { url_template: "u".repeat(2049) }, "url_template"],
    ["url_template with NUL", { url_template: "https://x/\u0000" }, "url_template"],
  ],
});
