/**
 * Document rules (reference-domain §12.1): documents attached to a project, a project type or
 * a member user of the organization in the path; created, listed (keyset pages), read, JSON
 * Patched and deleted. A document is only ever reached through the organization it was
 * created in; through a project path it must be attached to that project (else 404).
 */
import type { EventBus, RequestMeta } from "../../infra/events.ts";
import type { Database } from "../../infra/postgres.ts";
import { NotFoundError, UnprocessableError } from "../../http/errors.ts";
import { applyJsonPatch, type PatchOperations } from "../../http/json-patch.ts";
import { decodeCursor, linkHeader, pageOf, parseLimit } from "../../http/pagination.ts";
import { newId } from "../../lib/ids.ts";
import type { Principal } from "../auth/principal.ts";
import { findOrganization } from "../catalog/org-resource-repo.ts";
import { assertStorable, checkBody, dataError, storable } from "../projects/input-checks.ts";
import { DocumentCreate, DocumentPatchable, type DocumentJson, type DocumentPatchableValue } from "./model.ts";
import {
  deleteDocument, findProjectAnchor, findProjectTypeAnchor, findUserAnchor, insertDocument, lockDocument, replaceTags,
  selectDocuments, tagIds, updateDocument, type Anchor, type AnchorKind, type DocumentRow, type Sql,
} from "./repo.ts";
import { auditActor } from "../audit/actor.ts";

export interface DocumentsDeps {
  sql: Database;
  events: EventBus;
}

interface Org { id: string; slug: string }

/** An anchor named by the path: which kind, and its key (project id, type slug, email). */
export interface AnchorRef { kind: AnchorKind; key: string }


const iso = (value: Date | null) => (value === null ? null : value.toISOString());

export function documentJson(row: DocumentRow): DocumentJson {
  const attached: DocumentJson["attached_to"] = row.project_id !== null
    ? { kind: "project", id: row.project_id, name: row.project_name ?? "", team: row.team_name, project_types: row.project_types ?? [] }
    : row.project_type_id !== null
      ? { kind: "project_type", id: row.type_slug ?? "", name: row.type_name ?? "" }
      : { kind: "user", id: row.user_email ?? "", name: row.user_name ?? "" };
  return {
    id: row.id, title: row.title, content: row.content, created_by: row.created_by, created_by_name: row.created_by_name,
    created_at: row.created_at.toISOString(), updated_by: row.updated_by, updated_at: iso(row.updated_at),
    project_id: row.project_id, attached_to: attached, is_pinned: row.is_pinned, comment_count: row.comment_count, tags: row.tags,
  };
}

export async function orgOr404(sql: Sql, orgSlug: string): Promise<Org> {
  const org = storable(orgSlug) ? await findOrganization(sql as Database, orgSlug) : undefined;
  if (!org) throw new NotFoundError(`Organization with slug '${orgSlug}' not found`);
  return { id: org.id, slug: org.slug };
}

const ANCHOR_LABEL: Record<AnchorKind, string> = { project: "Project", project_type: "Project type", user: "User" };

export async function anchorOr404(sql: Sql, org: Org, ref: AnchorRef): Promise<Anchor> {
  const find = { project: findProjectAnchor, project_type: findProjectTypeAnchor, user: findUserAnchor }[ref.kind];
  const anchor = storable(ref.key) ? await find(sql, org.id, ref.key) : undefined;
  if (!anchor) throw new NotFoundError(`${ANCHOR_LABEL[ref.kind]} '${ref.key}' not found in organization '${org.slug}'`);
  return anchor;
}

/** The document within the organization (and, when given, attached to that anchor), else 404. */
export async function documentOr404(sql: Sql, org: Org, documentId: string, anchor?: Anchor): Promise<DocumentRow> {
  const [row] = storable(documentId) ? await selectDocuments(sql, { orgId: org.id, id: documentId, anchor }) : [];
  if (!row) throw new NotFoundError(`Document '${documentId}' not found`);
  return row;
}

/** Tag slugs of the organization → ids; unknown slugs are one 422 naming them all. */
export async function tagIdsOr422(sql: Sql, org: Org, slugs: string[]): Promise<string[]> {
  const unique = [...new Set(slugs)];
  const found = await tagIds(sql, org.id, unique);
  const missing = unique.filter((slug) => !found.has(slug));
  if (missing.length) {
    throw new UnprocessableError([{ type: "value_error", loc: ["body", "tags"], msg: `Tag slug(s) not found: [${missing.map((s) => `'${s}'`).join(", ")}]`, input: slugs }]);
  }
  return unique.map((slug) => found.get(slug)!);
}

export async function createDocument(deps: DocumentsDeps, principal: Principal, orgSlug: string, ref: AnchorRef, input: unknown, meta: RequestMeta) {
  const org = await orgOr404(deps.sql, orgSlug);
  const anchor = await anchorOr404(deps.sql, org, ref);
  assertStorable(input);
  const body = checkBody(DocumentCreate, input);
  const id = newId();
  try {
    await deps.sql.begin(async (tx) => {
      const tags = await tagIdsOr422(tx, org, body.tags ?? []);
      await insertDocument(tx, {
        id, organization_id: org.id, anchor, title: body.title, content: body.content, created_by: principal.name, created_at: new Date(),
      });
      await replaceTags(tx, id, tags);
    });
  } catch (error) {
    throw dataError(error) ?? error;
  }
  deps.events.emit({
    type: "document.created", outcome: "success", ...auditActor(principal, meta),
    detail: { organization: org.slug, document_id: id, attached_to: { kind: anchor.kind, id: anchor.key }, title: body.title },
  });
  return documentJson(await documentOr404(deps.sql, org, id));
}

export interface ListFilter { limit?: string; cursor?: string; tag?: string; project_id?: string; project_type?: string; user?: string }

/** One page of documents (newest first), with its `Link` header (src/http/pagination.ts). */
export async function listDocuments(deps: DocumentsDeps, orgSlug: string, ref: AnchorRef | undefined, query: ListFilter, url: string) {
  const limit = parseLimit(query.limit);
  const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
  const org = await orgOr404(deps.sql, orgSlug);
  const empty = { data: [] as DocumentJson[], link: linkHeader(url, null) };
  let anchor: Anchor | undefined;
  if (ref) {
    anchor = await anchorOr404(deps.sql, org, ref);
  } else {
    const given = ([["project", "project_id", query.project_id], ["project_type", "project_type", query.project_type], ["user", "user", query.user]] as const)
      .filter(([, , value]) => value !== undefined);
    if (given.length > 1) {
      throw new UnprocessableError([{
        type: "value_error", loc: ["query"], msg: "Only one of project_id, project_type and user may be given",
        input: Object.fromEntries(given.map(([, name, value]) => [name, value])),
      }]);
    }
    // A filter naming nothing in the organization matches nothing (no 404).
    if (given.length) {
      const [kind, , key] = given[0]!;
      const find = { project: findProjectAnchor, project_type: findProjectTypeAnchor, user: findUserAnchor }[kind];
      anchor = storable(key!) ? await find(deps.sql, org.id, key!) : undefined;
      if (!anchor) return empty;
    }
  }
  if (query.tag !== undefined && !storable(query.tag)) return empty;
  const rows = await selectDocuments(deps.sql, {
    orgId: org.id, anchor, tagSlug: query.tag, after: after && { at: after.timestamp, id: after.id }, limit: limit + 1,
  });
  const { page, next } = pageOf(rows, limit, (row) => ({ timestamp: row.created_at, id: row.id }));
  return { data: page.map(documentJson), link: linkHeader(url, next) };
}

export async function getDocument(deps: DocumentsDeps, orgSlug: string, ref: AnchorRef | undefined, documentId: string) {
  const org = await orgOr404(deps.sql, orgSlug);
  const anchor = ref ? await anchorOr404(deps.sql, org, ref) : undefined;
  return documentJson(await documentOr404(deps.sql, org, documentId, anchor));
}

const READ_ONLY = [
  "/id", "/project_id", "/attached_to", "/comment_count", "/created_by", "/created_by_name", "/created_at", "/updated_by", "/updated_at",
];

/** JSON Patch over {title, content, tags (slugs), is_pinned}; touching /tags replaces the tag set. */
export async function patchDocument(
  deps: DocumentsDeps, principal: Principal, orgSlug: string, ref: AnchorRef | undefined, documentId: string, operations: PatchOperations, meta: RequestMeta,
) {
  const org = await orgOr404(deps.sql, orgSlug);
  const anchor = ref ? await anchorOr404(deps.sql, org, ref) : undefined;
  let changed: string[] = [];
  try {
    await deps.sql.begin(async (tx) => {
      const row = await documentOr404(tx, org, documentId, anchor);
      if (!(await lockDocument(tx, row.id))) throw new NotFoundError(`Document '${documentId}' not found`);
      const current: DocumentPatchableValue = { title: row.title, content: row.content, tags: row.tags.map((tag) => tag.slug), is_pinned: row.is_pinned };
      const patched = applyJsonPatch(current as Record<string, unknown>, operations, READ_ONLY);
      assertStorable(patched);
      const document = checkBody(DocumentPatchable, patched);
      changed = (Object.keys(current) as (keyof DocumentPatchableValue)[])
        .filter((key) => JSON.stringify(current[key]) !== JSON.stringify(document[key]));
      const tagsTouched = (operations as { path: string }[]).some((op) => op.path === "/tags" || op.path.startsWith("/tags/"));
      if (tagsTouched) await replaceTags(tx, row.id, await tagIdsOr422(tx, org, document.tags));
      await updateDocument(tx, row.id, { title: document.title, content: document.content, is_pinned: document.is_pinned, updated_by: principal.name });
    });
  } catch (error) {
    throw dataError(error) ?? error;
  }
  deps.events.emit({
    type: "document.updated", outcome: "success", ...auditActor(principal, meta),
    detail: { organization: org.slug, document_id: documentId, fields: changed },
  });
  return documentJson(await documentOr404(deps.sql, org, documentId));
}

/** Deletes the document with its comment threads and comments. */
export async function removeDocument(deps: DocumentsDeps, principal: Principal, orgSlug: string, ref: AnchorRef | undefined, documentId: string, meta: RequestMeta) {
  const org = await orgOr404(deps.sql, orgSlug);
  const anchor = ref ? await anchorOr404(deps.sql, org, ref) : undefined;
  const row = await documentOr404(deps.sql, org, documentId, anchor);
  await deleteDocument(deps.sql, row.id);
  deps.events.emit({
    type: "document.deleted", outcome: "success", ...auditActor(principal, meta),
    detail: { organization: org.slug, document_id: row.id, title: row.title },
  });
}
