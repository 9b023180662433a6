/** Link definitions name the keys of Project.links; url_template is opaque to the API. */
import type { OrgResourceSpec } from "../catalog/spec.ts";
import { nullable, text } from "../catalog/document.ts";

export const LINK_DEFINITIONS: OrgResourceSpec = {
  segment: "link-definitions",
  table: "link_definitions",
  label: "Link definition",
  permissions: { create: "link_definition:create", read: "link_definition:read", update: "link_definition:write", delete: "link_definition:delete" },
  fields: { url_template: nullable(text(2048)) },
  hasIcon: true,
  orderBy: "name, slug",
  relationships: [{
    // The reference's href is empty: no route lists the projects using a link definition.
    key: "projects",
    href: () => "",
    count: async (sql, row) => {
      const [r] = await sql<{ n: number }[]>`select count(*)::int as n from projects where organization_id = ${row.organization_id} and links ? ${row.slug}`;
      return r!.n;
    },
  }],
  dependents: [],
};
