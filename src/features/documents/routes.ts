/**
 * Documents (reference-domain §12.1), mounted under the organization index and under each
 * anchor: /organizations/{org_slug}/documents/, …/projects/{project_id}/documents/,
 * …/project-types/{slug}/documents/, …/users/{email}/documents/. Permissions document:* in
 * the organization of the path (D2). Lists are keyset pages: `{data}` + `Link`. Document
 * templates (../document-templates) and comment threads (../comments) are mounted by this
 * plugin too (one .use in app.ts: its chain is at TypeScript's instantiation-depth limit).
 */
import { Elysia, t } from "elysia";
import type { TSchema } from "@sinclair/typebox";
import type { AppContext } from "../../context.ts";
import { JsonPatchBody } from "../../http/json-patch.ts";
import { requestMeta } from "../../http/request-context.ts";
import { documentTemplateRoutes } from "../document-templates/routes.ts";
import { commentRoutes } from "../comments/routes.ts";
import {
  DocumentCreate, DocumentPage, DocumentResponse, ErrorBody, OrgDocumentParams, OrgListQuery, OrgParams, PageQuery,
  ProjectDocumentParams, ProjectParams, ProjectTypeParams, UserParams,
} from "./model.ts";
import {
  createDocument, getDocument, listDocuments, patchDocument, removeDocument, type AnchorRef, type DocumentsDeps, type ListFilter,
} from "./service.ts";

const tags = ["Documents"];
const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody, 422: ErrorBody };
const jsonBody = (schema: TSchema) => ({ required: true, content: { "application/json": { schema } } });
const linkHeader = { headers: { Link: { description: "RFC 8288: rel=\"first\", and rel=\"next\" when more rows exist", schema: { type: "string" } } } };

export function documentRoutes(ctx: AppContext) {
  const deps: DocumentsDeps = { sql: ctx.infra.sql, events: ctx.events };
  const org = "/organizations/:org_slug";
  const projectRef = (p: { project_id: string }): AnchorRef => ({ kind: "project", key: p.project_id });

  async function list(c: { params: { org_slug: string }; query: ListFilter; request: Request; set: { headers: Record<string, unknown> } }, ref?: AnchorRef) {
    const result = await listDocuments(deps, c.params.org_slug, ref, c.query, c.request.url);
    c.set.headers.link = result.link;
    return { data: result.data };
  }

  async function create(c: { params: { org_slug: string }; body: unknown; principal: Parameters<typeof createDocument>[1]; request: Request; set: { status?: unknown } }, ref: AnchorRef) {
    const document = await createDocument(deps, c.principal, c.params.org_slug, ref, c.body, requestMeta(c));
    c.set.status = 201;
    return document;
  }

  const created = { response: { 201: DocumentResponse, ...errors } };
  const listed = { response: { 200: DocumentPage, ...errors } };

  return new Elysia({ name: "imbi.documents" })
    .use(ctx.auth)
    // /organizations/{org_slug}/document-templates (§12.3), mounted with the documents
    .use(documentTemplateRoutes(ctx))
    // …/documents/{document_id}/comments (§12.2), both mounts
    .use(commentRoutes(ctx))
    // ---- organization index -------------------------------------------------------------
    .get(`${org}/documents/`, (c) => list(c), {
      permission: "document:read", params: OrgParams, query: OrgListQuery, ...listed,
      detail: { tags, summary: "The organization's documents, newest first; filters tag and one of project_id, project_type, user", ...linkHeader },
    })
    .get(`${org}/documents/:document_id`, ({ params }) => getDocument(deps, params.org_slug, undefined, params.document_id), {
      permission: "document:read", params: OrgDocumentParams, response: { 200: DocumentResponse, ...errors }, detail: { tags, summary: "A document" },
    })
    .patch(`${org}/documents/:document_id`, (c) => patchDocument(deps, c.principal, c.params.org_slug, undefined, c.params.document_id, c.body, requestMeta(c)), {
      permission: "document:write", params: OrgDocumentParams, body: JsonPatchBody, response: { 200: DocumentResponse, ...errors },
      detail: { tags, summary: "JSON Patch over {title, content, tags, is_pinned}" },
    })
    .delete(`${org}/documents/:document_id`, async (c) => {
      await removeDocument(deps, c.principal, c.params.org_slug, undefined, c.params.document_id, requestMeta(c));
      c.set.status = 204;
    }, { permission: "document:delete", params: OrgDocumentParams, response: { 204: t.Void(), ...errors }, detail: { tags, summary: "Delete a document with its comments" } })
    // ---- a project's documents ----------------------------------------------------------
    .get(`${org}/projects/:project_id/documents/`, (c) => list(c, projectRef(c.params)), {
      permission: "document:read", params: ProjectParams, query: PageQuery, ...listed,
      detail: { tags, summary: "The project's documents, newest first", ...linkHeader },
    })
    .post(`${org}/projects/:project_id/documents/`, (c) => create(c, projectRef(c.params)), {
      permission: "document:create", params: ProjectParams, ...created,
      detail: { tags, summary: "Attach a new document to the project", requestBody: jsonBody(DocumentCreate) },
    })
    .get(`${org}/projects/:project_id/documents/:document_id`, ({ params }) => getDocument(deps, params.org_slug, projectRef(params), params.document_id), {
      permission: "document:read", params: ProjectDocumentParams, response: { 200: DocumentResponse, ...errors }, detail: { tags, summary: "A document of the project" },
    })
    .patch(`${org}/projects/:project_id/documents/:document_id`, (c) => patchDocument(
      deps, c.principal, c.params.org_slug, projectRef(c.params), c.params.document_id, c.body, requestMeta(c),
    ), {
      permission: "document:write", params: ProjectDocumentParams, body: JsonPatchBody, response: { 200: DocumentResponse, ...errors },
      detail: { tags, summary: "JSON Patch over {title, content, tags, is_pinned}" },
    })
    .delete(`${org}/projects/:project_id/documents/:document_id`, async (c) => {
      await removeDocument(deps, c.principal, c.params.org_slug, projectRef(c.params), c.params.document_id, requestMeta(c));
      c.set.status = 204;
    }, { permission: "document:delete", params: ProjectDocumentParams, response: { 204: t.Void(), ...errors }, detail: { tags, summary: "Delete a document of the project" } })
    // ---- a project type's and a member's documents --------------------------------------
    .get(`${org}/project-types/:slug/documents/`, (c) => list(c, { kind: "project_type", key: c.params.slug }), {
      permission: "document:read", params: ProjectTypeParams, query: PageQuery, ...listed,
      detail: { tags, summary: "The project type's documents, newest first", ...linkHeader },
    })
    .post(`${org}/project-types/:slug/documents/`, (c) => create(c, { kind: "project_type", key: c.params.slug }), {
      permission: "document:create", params: ProjectTypeParams, ...created,
      detail: { tags, summary: "Attach a new document to the project type", requestBody: jsonBody(DocumentCreate) },
    })
    .get(`${org}/users/:email/documents/`, (c) => list(c, { kind: "user", key: c.params.email }), {
      permission: "document:read", params: UserParams, query: PageQuery, ...listed,
      detail: { tags, summary: "A member's documents, newest first", ...linkHeader },
    })
    .post(`${org}/users/:email/documents/`, (c) => create(c, { kind: "user", key: c.params.email }), {
      permission: "document:create", params: UserParams, ...created,
      detail: { tags, summary: "Attach a new document to a member of the organization", requestBody: jsonBody(DocumentCreate) },
    });
}
