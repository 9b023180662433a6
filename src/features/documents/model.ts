/**
 * Document schemas (reference-domain §12.1). Bodies are checked by the service with
 * TypeBox's Value.Check (422 in the D2 shape); unknown keys of a create body are ignored,
 * as the reference's model does, so clients sending extra fields keep working (D1).
 */
import { t, type Static } from "elysia";
import type { TSchema } from "@sinclair/typebox";

const nullable = <T extends TSchema>(schema: T) => t.Union([schema, t.Null()]);

export const Title = t.String({ minLength: 1, maxLength: 200 });
export const Content = t.String({ minLength: 1, maxLength: 1_000_000 });
export const TagSlugs = t.Array(t.String({ minLength: 1, maxLength: 64 }), { maxItems: 100 });

export const DocumentCreate = t.Object({
  title: Title,
  content: Content,
  tags: t.Optional(TagSlugs),
});
export type DocumentCreateBody = Static<typeof DocumentCreate>;

/** What PATCH operates on; every other path is read-only. */
export const DocumentPatchable = t.Object({
  title: Title,
  content: Content,
  tags: TagSlugs,
  is_pinned: t.Boolean(),
}, { additionalProperties: false });
export type DocumentPatchableValue = Static<typeof DocumentPatchable>;

const TagRef = t.Object({ name: t.String(), slug: t.String() });

export const DocumentResponse = t.Object({
  id: t.String(),
  title: t.String(),
  content: t.String(),
  created_by: t.String(),
  created_by_name: nullable(t.String()),
  created_at: t.String(),
  updated_by: nullable(t.String()),
  updated_at: nullable(t.String()),
  project_id: nullable(t.String()),
  attached_to: t.Object({
    kind: t.Union([t.Literal("project"), t.Literal("project_type"), t.Literal("user")]),
    id: t.String({ description: "project id, project type slug or user email" }),
    name: t.String(),
    team: t.Optional(nullable(t.String())),
    project_types: t.Optional(t.Array(t.String())),
  }),
  is_pinned: t.Boolean(),
  comment_count: t.Integer(),
  tags: t.Array(TagRef),
});
export type DocumentJson = Static<typeof DocumentResponse>;

export const DocumentPage = t.Object({ data: t.Array(DocumentResponse) });

export const PageQuery = t.Object({
  limit: t.Optional(t.String()),
  cursor: t.Optional(t.String()),
  tag: t.Optional(t.String()),
});
export const OrgListQuery = t.Object({
  limit: t.Optional(t.String()),
  cursor: t.Optional(t.String()),
  tag: t.Optional(t.String()),
  project_id: t.Optional(t.String()),
  project_type: t.Optional(t.String()),
  user: t.Optional(t.String()),
});

export const OrgParams = t.Object({ org_slug: t.String() });
export const OrgDocumentParams = t.Object({ org_slug: t.String(), document_id: t.String() });
export const ProjectParams = t.Object({ org_slug: t.String(), project_id: t.String() });
export const ProjectDocumentParams = t.Object({ org_slug: t.String(), project_id: t.String(), document_id: t.String() });
/** `:slug`, as the project-types routes name the segment (one parameter name per position). */
export const ProjectTypeParams = t.Object({ org_slug: t.String(), slug: t.String() });
export const UserParams = t.Object({ org_slug: t.String(), email: t.String() });
export const ErrorBody = t.Object({ detail: t.Unknown() });
