/**
 * Comment rules (reference-domain §12.2): page and inline threads on a document, replies,
 * resolve/unresolve (JSON Patch over {resolved}), edits and deletes by the author only,
 * acknowledgements toggled per principal. Reached through a document of the organization in
 * the path (and of the project, when the path or ?project_id= names one), else 404.
 */
import type { EventBus, RequestMeta } from "../../infra/events.ts";
import type { ClickHouseWriter } from "../../infra/clickhouse-writer.ts";
import type { Database } from "../../infra/postgres.ts";
import { NotAllowedError, NotFoundError, UnprocessableError } from "../../http/errors.ts";
import { applyJsonPatch, type PatchOperations } from "../../http/json-patch.ts";
import { newId } from "../../lib/ids.ts";
import type { Principal } from "../auth/principal.ts";
import { anchorOr404, documentOr404, orgOr404 } from "../documents/service.ts";
import { assertStorable, checkBody, dataError, storable } from "../projects/input-checks.ts";
import { recordCommentActivity, type CommentActivity } from "./activity.ts";
import { CommentCreate, CommentPatchable, ThreadCreate, ThreadPatchable, type CommentJson, type ThreadJson } from "./model.ts";
import {
  commentsOf, countComments, deleteComment, deleteThread, findComment, findThread, insertComment, insertThread, setAcknowledgements,
  setResolved, threadsOf, updateComment, type CommentRow, type Sql, type ThreadRow,
} from "./repo.ts";
import { auditActor } from "../audit/actor.ts";

export interface CommentsDeps {
  sql: Database;
  events: EventBus;
  /** Comment activity rows for the ClickHouse events table (activity.ts). */
  analytics: ClickHouseWriter;
}

/** Where the document is named: the organization, and a project from the path or ?project_id=. */
export interface DocumentPath { orgSlug: string; projectId?: string; documentId: string }

interface Scope { org: { id: string; slug: string }; documentId: string; projectId: string | null }

const iso = (value: Date | null) => (value === null ? null : value.toISOString());
const samePrincipal = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

function commentJson(row: CommentRow): CommentJson {
  return {
    id: row.id, thread_id: row.thread_id, author: row.author, body: row.body, mentions: row.mentions, acknowledged_by: row.acknowledged_by,
    edited: row.edited, created_at: row.created_at.toISOString(), updated_at: iso(row.updated_at),
  };
}

function threadJson(row: ThreadRow, comments: CommentRow[]): ThreadJson {
  return {
    id: row.id, document_id: row.document_id, kind: row.kind, resolved: row.resolved, resolved_by: row.resolved_by, resolved_at: iso(row.resolved_at),
    anchor: row.kind === "inline" ? { quote: row.anchor_quote, prefix: row.anchor_prefix, suffix: row.anchor_suffix, start: row.anchor_start } : null,
    created_by: row.created_by, created_at: row.created_at.toISOString(), updated_at: iso(row.updated_at),
    comments: comments.filter((comment) => comment.thread_id === row.id).map(commentJson),
  };
}

async function scopeOr404(sql: Sql, path: DocumentPath): Promise<Scope> {
  const org = await orgOr404(sql, path.orgSlug);
  const anchor = path.projectId === undefined ? undefined : await anchorOr404(sql, org, { kind: "project", key: path.projectId });
  const document = await documentOr404(sql, org, path.documentId, anchor);
  return { org, documentId: document.id, projectId: document.project_id };
}

async function threadOr404(sql: Sql, scope: Scope, threadId: string, lock = false): Promise<ThreadRow> {
  const thread = storable(threadId) ? await findThread(sql, scope.documentId, threadId, lock) : undefined;
  if (!thread) throw new NotFoundError(`Comment thread '${threadId}' not found`);
  return thread;
}

async function commentOr404(sql: Sql, thread: ThreadRow, commentId: string, lock = false): Promise<CommentRow> {
  const comment = storable(commentId) ? await findComment(sql, thread.id, commentId, lock) : undefined;
  if (!comment) throw new NotFoundError(`Comment '${commentId}' not found`);
  return comment;
}

async function threadWithComments(sql: Sql, scope: Scope, threadId: string): Promise<ThreadJson> {
  const thread = await threadOr404(sql, scope, threadId);
  return threadJson(thread, await commentsOf(sql, [thread.id]));
}

function record(deps: CommentsDeps, scope: Scope, activity: Omit<CommentActivity, "projectId" | "documentId">): void {
  recordCommentActivity(deps.analytics, { ...activity, projectId: scope.projectId ?? "", documentId: scope.documentId });
}

async function guarded<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    throw dataError(error) ?? error;
  }
}

export async function listThreads(deps: CommentsDeps, path: DocumentPath) {
  const scope = await scopeOr404(deps.sql, path);
  const threads = await threadsOf(deps.sql, scope.documentId);
  const comments = await commentsOf(deps.sql, threads.map((thread) => thread.id));
  return { data: threads.map((thread) => threadJson(thread, comments)) };
}

export async function createThread(deps: CommentsDeps, principal: Principal, path: DocumentPath, input: unknown, meta: RequestMeta) {
  const scope = await scopeOr404(deps.sql, path);
  assertStorable(input);
  const body = checkBody(ThreadCreate, input);
  const kind = body.kind ?? "page";
  const anchor = kind === "inline" ? body.anchor : undefined;
  if (kind === "inline" && (!anchor || !anchor.quote.trim())) {
    throw new UnprocessableError([{ type: "value_error", loc: ["body", "anchor"], msg: "An inline thread needs an anchor with a non-blank quote", input: body.anchor ?? null }]);
  }
  const threadId = newId();
  const commentId = newId();
  await guarded(() => deps.sql.begin(async (tx) => {
    await insertThread(tx, {
      id: threadId, document_id: scope.documentId, kind, created_by: principal.name,
      anchor_quote: anchor?.quote ?? "", anchor_prefix: anchor?.prefix ?? "", anchor_suffix: anchor?.suffix ?? "", anchor_start: anchor?.start ?? 0,
    });
    await insertComment(tx, { id: commentId, thread_id: threadId, author: principal.name, body: body.body, mentions: body.mentions ?? [] });
  }));
  deps.events.emit({
    type: "comment_thread.created", outcome: "success", ...auditActor(principal, meta),
    detail: { organization: scope.org.slug, document_id: scope.documentId, thread_id: threadId, comment_id: commentId, kind },
  });
  record(deps, scope, { threadId, commentId, kind, action: "created", principal: principal.name, body: body.body });
  return threadWithComments(deps.sql, scope, threadId);
}

/** JSON Patch over {resolved}: resolving records who and when; unresolving clears both. */
export async function patchThread(deps: CommentsDeps, principal: Principal, path: DocumentPath, threadId: string, operations: PatchOperations, meta: RequestMeta) {
  const scope = await scopeOr404(deps.sql, path);
  let resolved = false;
  await guarded(() => deps.sql.begin(async (tx) => {
    const thread = await threadOr404(tx, scope, threadId, true);
    const readOnly = ["/id", "/document_id", "/kind", "/resolved_by", "/resolved_at", "/anchor", "/created_by", "/created_at", "/updated_at", "/comments"];
    const patched = checkBody(ThreadPatchable, applyJsonPatch({ resolved: thread.resolved }, operations, readOnly));
    resolved = patched.resolved;
    if (resolved !== thread.resolved) await setResolved(tx, thread.id, resolved, principal.name);
  }));
  deps.events.emit({
    type: "comment_thread.updated", outcome: "success", ...auditActor(principal, meta),
    detail: { organization: scope.org.slug, document_id: scope.documentId, thread_id: threadId, resolved },
  });
  return threadWithComments(deps.sql, scope, threadId);
}

export async function addComment(deps: CommentsDeps, principal: Principal, path: DocumentPath, threadId: string, input: unknown, meta: RequestMeta) {
  const scope = await scopeOr404(deps.sql, path);
  const thread = await threadOr404(deps.sql, scope, threadId);
  assertStorable(input);
  const body = checkBody(CommentCreate, input);
  const id = newId();
  await guarded(() => insertComment(deps.sql, { id, thread_id: thread.id, author: principal.name, body: body.body, mentions: body.mentions ?? [] }));
  deps.events.emit({
    type: "comment.created", outcome: "success", ...auditActor(principal, meta),
    detail: { organization: scope.org.slug, document_id: scope.documentId, thread_id: thread.id, comment_id: id },
  });
  record(deps, scope, { threadId: thread.id, commentId: id, kind: "", action: "replied", principal: principal.name, body: body.body });
  return commentJson((await findComment(deps.sql, thread.id, id))!);
}

/** JSON Patch over {body, mentions}, by the author only; the comment is marked edited. */
export async function patchComment(
  deps: CommentsDeps, principal: Principal, path: DocumentPath, threadId: string, commentId: string, operations: PatchOperations, meta: RequestMeta,
) {
  const scope = await scopeOr404(deps.sql, path);
  let id = "";
  let text = "";
  await guarded(() => deps.sql.begin(async (tx) => {
    const thread = await threadOr404(tx, scope, threadId);
    const comment = await commentOr404(tx, thread, commentId, true);
    if (!samePrincipal(comment.author, principal.name)) throw new NotAllowedError("Only the comment author may edit it");
    const readOnly = ["/id", "/thread_id", "/author", "/acknowledged_by", "/edited", "/created_at", "/updated_at"];
    const patched = applyJsonPatch({ body: comment.body, mentions: comment.mentions }, operations, readOnly);
    assertStorable(patched);
    const values = checkBody(CommentPatchable, patched);
    await updateComment(tx, comment.id, values);
    id = comment.id;
    text = values.body;
  }));
  deps.events.emit({
    type: "comment.updated", outcome: "success", ...auditActor(principal, meta),
    detail: { organization: scope.org.slug, document_id: scope.documentId, thread_id: threadId, comment_id: id },
  });
  record(deps, scope, { threadId, commentId: id, kind: "", action: "edited", principal: principal.name, body: text });
  return commentJson((await findComment(deps.sql, threadId, id))!);
}

/** Toggles the caller in acknowledged_by. */
export async function acknowledgeComment(deps: CommentsDeps, principal: Principal, path: DocumentPath, threadId: string, commentId: string, meta: RequestMeta) {
  const scope = await scopeOr404(deps.sql, path);
  let acknowledged = false;
  let id = "";
  await deps.sql.begin(async (tx) => {
    const thread = await threadOr404(tx, scope, threadId);
    const comment = await commentOr404(tx, thread, commentId, true);
    const others = comment.acknowledged_by.filter((name) => !samePrincipal(name, principal.name));
    acknowledged = others.length === comment.acknowledged_by.length;
    await setAcknowledgements(tx, comment.id, acknowledged ? [...others, principal.name] : others);
    id = comment.id;
  });
  deps.events.emit({
    type: "comment.acknowledged", outcome: "success", ...auditActor(principal, meta),
    detail: { organization: scope.org.slug, document_id: scope.documentId, thread_id: threadId, comment_id: id, acknowledged },
  });
  return commentJson((await findComment(deps.sql, threadId, id))!);
}

/** By the author only; deleting the last comment of a thread deletes the thread too. */
export async function removeComment(deps: CommentsDeps, principal: Principal, path: DocumentPath, threadId: string, commentId: string, meta: RequestMeta) {
  const scope = await scopeOr404(deps.sql, path);
  let threadDeleted = false;
  let id = "";
  await deps.sql.begin(async (tx) => {
    const thread = await threadOr404(tx, scope, threadId, true);
    const comment = await commentOr404(tx, thread, commentId, true);
    if (!samePrincipal(comment.author, principal.name)) throw new NotAllowedError("Only the comment author may delete it");
    await deleteComment(tx, comment.id);
    if ((await countComments(tx, thread.id)) === 0) {
      await deleteThread(tx, thread.id);
      threadDeleted = true;
    }
    id = comment.id;
  });
  deps.events.emit({
    type: "comment.deleted", outcome: "success", ...auditActor(principal, meta),
    detail: { organization: scope.org.slug, document_id: scope.documentId, thread_id: threadId, comment_id: id, thread_deleted: threadDeleted },
  });
  record(deps, scope, { threadId, commentId: id, kind: "", action: "deleted", principal: principal.name, body: "" });
}
