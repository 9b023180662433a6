/**
 * Comment threads (reference-domain §12.2), mounted twice with the same handlers:
 * /organizations/{org_slug}/projects/{project_id}/documents/{document_id}/comments (the
 * document must be the project's) and /organizations/{org_slug}/documents/{document_id}/comments
 * (?project_id= narrows). Reading needs document:read; writing comment:create/write/delete,
 * in the organization of the path (D2).
 */
import { Elysia, t } from "elysia";
import type { TSchema } from "@sinclair/typebox";
import type { AppContext } from "../../context.ts";
import { JsonPatchBody } from "../../http/json-patch.ts";
import { requestMeta } from "../../http/request-context.ts";
import { CommentCreate, CommentResponse, ErrorBody, ThreadCreate, ThreadResponse } from "./model.ts";
import {
  acknowledgeComment, addComment, createThread, listThreads, patchComment, patchThread, removeComment, type CommentsDeps, type DocumentPath,
} from "./service.ts";

const tags = ["Comments"];
const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 422: ErrorBody };
const jsonBody = (schema: TSchema) => ({ required: true, content: { "application/json": { schema } } });

const Params = t.Object({ org_slug: t.String(), document_id: t.String(), project_id: t.Optional(t.String()) });
const ThreadParams = t.Object({ org_slug: t.String(), document_id: t.String(), thread_id: t.String(), project_id: t.Optional(t.String()) });
const CommentParams = t.Object({
  org_slug: t.String(), document_id: t.String(), thread_id: t.String(), comment_id: t.String(), project_id: t.Optional(t.String()),
});
const Query = t.Object({ project_id: t.Optional(t.String()) });

type P = { org_slug: string; document_id: string; project_id?: string };
const pathOf = (params: P, query: { project_id?: string }): DocumentPath =>
  ({ orgSlug: params.org_slug, documentId: params.document_id, projectId: params.project_id ?? query.project_id });

function mount(ctx: AppContext, deps: CommentsDeps, name: string, prefix: string) {
  return new Elysia({ name, prefix })
    .use(ctx.auth)
    .get("", ({ params, query }) => listThreads(deps, pathOf(params, query)), {
      permission: "document:read", params: Params, query: Query, response: { 200: t.Object({ data: t.Array(ThreadResponse) }), ...errors },
      detail: { tags, summary: "The document's threads oldest first, each with its comments oldest first" },
    })
    .post("", async (c) => {
      const thread = await createThread(deps, c.principal, pathOf(c.params, c.query), c.body, requestMeta(c));
      c.set.status = 201;
      return thread;
    }, {
      permission: "comment:create", params: Params, query: Query, response: { 201: ThreadResponse, ...errors },
      detail: { tags, summary: "Start a page or inline thread with its first comment", requestBody: jsonBody(ThreadCreate) },
    })
    .patch("/:thread_id", (c) => patchThread(deps, c.principal, pathOf(c.params, c.query), c.params.thread_id, c.body, requestMeta(c)), {
      permission: "comment:write", params: ThreadParams, query: Query, body: JsonPatchBody, response: { 200: ThreadResponse, ...errors },
      detail: { tags, summary: "JSON Patch over {resolved}" },
    })
    .post("/:thread_id/comments", async (c) => {
      const comment = await addComment(deps, c.principal, pathOf(c.params, c.query), c.params.thread_id, c.body, requestMeta(c));
      c.set.status = 201;
      return comment;
    }, {
      permission: "comment:create", params: ThreadParams, query: Query, response: { 201: CommentResponse, ...errors },
      detail: { tags, summary: "Reply in a thread", requestBody: jsonBody(CommentCreate) },
    })
    .patch("/:thread_id/comments/:comment_id", (c) => patchComment(
      deps, c.principal, pathOf(c.params, c.query), c.params.thread_id, c.params.comment_id, c.body, requestMeta(c),
    ), {
      permission: "comment:write", params: CommentParams, query: Query, body: JsonPatchBody, response: { 200: CommentResponse, ...errors },
      detail: { tags, summary: "JSON Patch over {body, mentions}; the author only (403)" },
    })
    .post("/:thread_id/comments/:comment_id/acknowledge", (c) => acknowledgeComment(
      deps, c.principal, pathOf(c.params, c.query), c.params.thread_id, c.params.comment_id, requestMeta(c),
    ), {
      permission: "comment:write", params: CommentParams, query: Query, response: { 200: CommentResponse, ...errors },
      detail: { tags, summary: "Toggle the caller's acknowledgement" },
    })
    .delete("/:thread_id/comments/:comment_id", async (c) => {
      await removeComment(deps, c.principal, pathOf(c.params, c.query), c.params.thread_id, c.params.comment_id, requestMeta(c));
      c.set.status = 204;
    }, {
      permission: "comment:delete", params: CommentParams, query: Query, response: { 204: t.Void(), ...errors },
      detail: { tags, summary: "Delete a comment; the author only (403); the last comment takes its thread with it" },
    });
}

export function commentRoutes(ctx: AppContext) {
  const deps: CommentsDeps = { sql: ctx.infra.sql, events: ctx.events, analytics: ctx.analytics };
  return new Elysia({ name: "imbi.comments" })
    .use(mount(ctx, deps, "imbi.comments.project", "/organizations/:org_slug/projects/:project_id/documents/:document_id/comments"))
    .use(mount(ctx, deps, "imbi.comments.org", "/organizations/:org_slug/documents/:document_id/comments"));
}
