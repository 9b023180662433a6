/**
 * What search indexes (reference-domain §16.5): for each searchable entity type, where its
 * rows live, which attributes are embedded (names whole, descriptions and contents chunked
 * as markdown), and how a row reaches its organization and project. The node labels are the
 * reference's. Blueprints and roles are global, not inside an organization, so no
 * organization's search can return them; they are not indexed.
 *
 * The SQL fragments are constants (never user input): `from` names the row as `e`.
 */

export interface EmbeddedField {
  attribute: string;
  /** SQL expression of its text. */
  column: string;
  markdown: boolean;
}

export interface EntityType {
  label: string;
  from: string;
  /** The id the queue carries (the table's primary key). */
  id: string;
  /** The id the API shows for the node (a document template's public id is its slug-like id). */
  publicId: string;
  organization: string;
  project: string | null;
  name: string | null;
  slug: string | null;
  fields: EmbeddedField[];
}

const named = (markdownFields: string[] = ["description"]): EmbeddedField[] => [
  { attribute: "name", column: "e.name", markdown: false },
  ...markdownFields.map((field) => ({ attribute: field, column: `e.${field}`, markdown: true })),
];

function orgChild(label: string, table: string): EntityType {
  return {
    label, from: `${table} e`, id: "e.id", publicId: "e.id", organization: "e.organization_id", project: null,
    name: "e.name", slug: "e.slug", fields: named(),
  };
}

export const ENTITY_TYPES: EntityType[] = [
  {
    label: "Organization", from: "organizations e", id: "e.id", publicId: "e.id", organization: "e.id", project: null,
    name: "e.name", slug: "e.slug", fields: named(),
  },
  orgChild("Team", "teams"),
  orgChild("Environment", "environments"),
  orgChild("ProjectType", "project_types"),
  orgChild("Tag", "tags"),
  orgChild("LinkDefinition", "link_definitions"),
  {
    label: "DocumentTemplate", from: "document_templates e", id: "e.row_id", publicId: "e.id",
    organization: "e.organization_id", project: null, name: "e.name", slug: "e.slug", fields: named(["description", "content"]),
  },
  {
    label: "Project", from: "projects e", id: "e.id", publicId: "e.id", organization: "e.organization_id", project: "e.id",
    name: "e.name", slug: "e.slug", fields: named(),
  },
  {
    label: "Document", from: "documents e", id: "e.id", publicId: "e.id", organization: "e.organization_id",
    project: "e.project_id", name: "e.title", slug: null,
    fields: [{ attribute: "title", column: "e.title", markdown: false }, { attribute: "content", column: "e.content", markdown: true }],
  },
  {
    label: "Comment",
    from: "comments e join comment_threads ct on ct.id = e.thread_id join documents cd on cd.id = ct.document_id",
    id: "e.id", publicId: "e.id", organization: "cd.organization_id", project: "cd.project_id", name: null, slug: null,
    fields: [{ attribute: "body", column: "e.body", markdown: true }],
  },
  {
    label: "Release", from: "releases e join projects rp on rp.id = e.project_id", id: "e.id", publicId: "e.id",
    organization: "rp.organization_id", project: "e.project_id", name: "e.title", slug: null,
    fields: [{ attribute: "title", column: "e.title", markdown: false }, { attribute: "description", column: "e.description", markdown: true }],
  },
];

const BY_LABEL = new Map(ENTITY_TYPES.map((type) => [type.label, type]));

export function entityType(label: string): EntityType | undefined {
  return BY_LABEL.get(label);
}
