/**
 * Documents (runbooks, ADRs, notes): the MCP face of GET /organizations/{org_slug}/documents/
 * and …/documents/{document_id}, under document:read in the organization named.
 */
import { Type } from "@sinclair/typebox";
import { getDocument, listDocuments } from "../../documents/service.ts";
import { defineTool, readOnly, requirePermission } from "../tool.ts";
import { Cursor, Limit, OrgSlug, ProjectId } from "./args.ts";

/** The service pages through a Link header; a tool answers with the cursor itself. */
const PAGE_URL = "http://mcp.invalid/documents";
function nextCursor(link: string): string | null {
  const next = /<([^>]+)>; rel="next"/.exec(link);
  return next ? new URL(next[1]!).searchParams.get("cursor") : null;
}

export const documentTools = [
  defineTool({
    name: "list_documents",
    description: "The organization's documents, newest first (title, content, tags, what they are attached to). "
      + "Filter by tag and by one of project_id, project_type or user; page with next_cursor.",
    input: Type.Object({
      organization: OrgSlug,
      project_id: Type.Optional(ProjectId),
      project_type: Type.Optional(Type.String({ minLength: 1, maxLength: 255, description: "Project type slug" })),
      user: Type.Optional(Type.String({ minLength: 1, maxLength: 320, description: "Email of the user the documents are attached to" })),
      tag: Type.Optional(Type.String({ minLength: 1, maxLength: 255, description: "Tag slug" })),
      limit: Type.Optional(Limit),
      cursor: Type.Optional(Cursor),
    }, { additionalProperties: false }),
    annotations: readOnly("List documents"),
    async run(deps, caller, args) {
      requirePermission(deps, caller, "document:read", args.organization);
      const { organization, limit, ...filter } = args;
      const page = await listDocuments(deps, organization, undefined, { ...filter, limit: limit?.toString() }, PAGE_URL);
      return { data: page.data, next_cursor: nextCursor(page.link) };
    },
  }),
  defineTool({
    name: "get_document",
    description: "One document by id.",
    input: Type.Object({
      organization: OrgSlug,
      document_id: Type.String({ minLength: 1, maxLength: 64 }),
    }, { additionalProperties: false }),
    annotations: readOnly("Get document"),
    async run(deps, caller, args) {
      requirePermission(deps, caller, "document:read", args.organization);
      return getDocument(deps, args.organization, undefined, args.document_id);
    },
  }),
];
