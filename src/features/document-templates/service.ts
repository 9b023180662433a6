/**
 * Document template rules (reference-domain §12.3): per-organization templates addressed by
 * slug (D2 pattern, unique per organization: 409), create/list/read/PUT/JSON Patch/delete.
 * Tags must exist in the organization (422 naming the missing ones).
 */
import type { EventBus, RequestMeta } from "../../infra/events.ts";
import type { Database } from "../../infra/postgres.ts";
import { ConflictError, NotFoundError, UnprocessableError } from "../../http/errors.ts";
import { applyJsonPatch, DEFAULT_READ_ONLY, type PatchOperations } from "../../http/json-patch.ts";
import { pgCode, UNIQUE_VIOLATION } from "../../infra/pg-errors.ts";
import { newId } from "../../lib/ids.ts";
import type { Principal } from "../auth/principal.ts";
import { orgOr404, tagIdsOr422 } from "../documents/service.ts";
import { assertStorable, checkBody, dataError, storable } from "../projects/input-checks.ts";
import { TemplateCreate, TemplateDocument, TemplateUpdate, type TemplateDocumentValue, type TemplateJson } from "./model.ts";
import {
  deleteTemplate, insertTemplate, lockTemplate, replaceTemplateTags, selectTemplates, slugTaken, updateTemplate,
  type Sql, type TemplateRow, type TemplateValues,
} from "./repo.ts";
import { auditActor } from "../audit/actor.ts";

export interface TemplatesDeps {
  sql: Database;
  events: EventBus;
}

interface Org { id: string; slug: string }


function templateJson(row: TemplateRow): TemplateJson {
  return {
    id: row.id, name: row.name, slug: row.slug, description: row.description, icon: row.icon, title: row.title, content: row.content,
    type: row.type, tags: row.tags, project_type_slugs: row.project_type_slugs, sort_order: row.sort_order,
    created_at: row.created_at.toISOString(), updated_at: row.updated_at === null ? null : row.updated_at.toISOString(),
    organization: { name: row.org_name, slug: row.org_slug },
  };
}

async function templateOr404(sql: Sql, org: Org, slug: string): Promise<TemplateRow> {
  const [row] = storable(slug) ? await selectTemplates(sql, org.id, slug) : [];
  if (!row) throw new NotFoundError(`Document template with slug '${slug}' not found`);
  return row;
}

const conflict = (slug: string) => new ConflictError(`Document template with slug '${slug}' already exists`);

/** Runs a write; a slug clash is the 409, a data exception a 422. */
async function guarded<T>(slug: () => string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (pgCode(error) === UNIQUE_VIOLATION) throw conflict(slug());
    throw dataError(error) ?? error;
  }
}

const valuesOf = (doc: TemplateDocumentValue): TemplateValues => ({
  slug: doc.slug, name: doc.name, description: doc.description, icon: doc.icon, title: doc.title, content: doc.content,
  type: doc.type, project_type_slugs: doc.project_type_slugs, sort_order: doc.sort_order,
});

export async function createTemplate(deps: TemplatesDeps, principal: Principal, orgSlug: string, input: unknown, meta: RequestMeta) {
  const org = await orgOr404(deps.sql, orgSlug);
  assertStorable(input);
  const body = checkBody(TemplateCreate, input);
  const doc: TemplateDocumentValue = {
    description: null, icon: null, title: null, content: "", type: "project", tags: [], project_type_slugs: [], sort_order: 0, ...body,
  };
  await guarded(() => doc.slug, () => deps.sql.begin(async (tx) => {
    if (await slugTaken(tx, org.id, doc.slug)) throw conflict(doc.slug);
    const tags = await tagIdsOr422(tx, org, doc.tags);
    const rowId = newId();
    await insertTemplate(tx, { row_id: rowId, id: doc.slug, organization_id: org.id, ...valuesOf(doc) });
    await replaceTemplateTags(tx, rowId, tags);
  }));
  deps.events.emit({
    type: "document_template.created", outcome: "success", ...auditActor(principal, meta),
    detail: { organization: org.slug, template_id: doc.slug, slug: doc.slug },
  });
  return templateJson(await templateOr404(deps.sql, org, doc.slug));
}

/** Ordered by sort_order, name; `project_type` keeps templates for every type or that type; `context` keeps that type or global. */
export async function listTemplates(deps: TemplatesDeps, orgSlug: string, query: { project_type?: string; context?: string }) {
  const org = await orgOr404(deps.sql, orgSlug);
  if (query.context !== undefined && !["project", "user", "project_type"].includes(query.context)) {
    throw new UnprocessableError([{ type: "literal_error", loc: ["query", "context"], msg: "Input should be 'project', 'user' or 'project_type'", input: query.context }]);
  }
  return (await selectTemplates(deps.sql, org.id))
    .filter((row) => query.project_type === undefined || !row.project_type_slugs.length || row.project_type_slugs.includes(query.project_type))
    .filter((row) => query.context === undefined || row.type === query.context || row.type === "global")
    .map(templateJson);
}

export async function getTemplate(deps: TemplatesDeps, orgSlug: string, slug: string) {
  const org = await orgOr404(deps.sql, orgSlug);
  return templateJson(await templateOr404(deps.sql, org, slug));
}

const READ_ONLY = [...DEFAULT_READ_ONLY, "/organization"];

/** PUT (only given fields replace) and PATCH share this: the new document replaces the stored one. */
async function rewrite(
  deps: TemplatesDeps, principal: Principal, orgSlug: string, slug: string, meta: RequestMeta,
  change: (current: TemplateDocumentValue) => TemplateDocumentValue, tagsTouched: (current: TemplateDocumentValue, next: TemplateDocumentValue) => boolean,
) {
  const org = await orgOr404(deps.sql, orgSlug);
  let next: TemplateDocumentValue | undefined;
  let row: TemplateRow | undefined;
  await guarded(() => next?.slug ?? slug, () => deps.sql.begin(async (tx) => {
    row = await templateOr404(tx, org, slug);
    await lockTemplate(tx, org.id, slug);
    const current: TemplateDocumentValue = {
      name: row.name, slug: row.slug, description: row.description, icon: row.icon, title: row.title, content: row.content,
      type: row.type as TemplateDocumentValue["type"], tags: row.tags.map((tag) => tag.slug), project_type_slugs: row.project_type_slugs, sort_order: row.sort_order,
    };
    next = change(current);
    if (next.slug !== row.slug && await slugTaken(tx, org.id, next.slug)) throw conflict(next.slug);
    if (tagsTouched(current, next)) await replaceTemplateTags(tx, row.row_id, await tagIdsOr422(tx, org, next.tags));
    await updateTemplate(tx, row.row_id, valuesOf(next));
  }));
  deps.events.emit({
    type: "document_template.updated", outcome: "success", ...auditActor(principal, meta),
    detail: { organization: org.slug, template_id: row!.id, slug: next!.slug, previous_slug: row!.slug },
  });
  return templateJson(await templateOr404(deps.sql, org, next!.slug));
}

export function putTemplate(deps: TemplatesDeps, principal: Principal, orgSlug: string, slug: string, input: unknown, meta: RequestMeta) {
  assertStorable(input);
  const body = checkBody(TemplateUpdate, input);
  return rewrite(deps, principal, orgSlug, slug, meta, (current) => ({ ...current, ...body }), () => body.tags !== undefined);
}

export function patchTemplate(deps: TemplatesDeps, principal: Principal, orgSlug: string, slug: string, operations: PatchOperations, meta: RequestMeta) {
  return rewrite(deps, principal, orgSlug, slug, meta, (current) => {
    const patched = applyJsonPatch(current as Record<string, unknown>, operations, READ_ONLY);
    assertStorable(patched);
    return checkBody(TemplateDocument, patched);
  }, (current, next) => JSON.stringify(current.tags) !== JSON.stringify(next.tags));
}

export async function removeTemplate(deps: TemplatesDeps, principal: Principal, orgSlug: string, slug: string, meta: RequestMeta) {
  const org = await orgOr404(deps.sql, orgSlug);
  const row = await templateOr404(deps.sql, org, slug);
  await deleteTemplate(deps.sql, row.row_id);
  deps.events.emit({
    type: "document_template.deleted", outcome: "success", ...auditActor(principal, meta),
    detail: { organization: org.slug, template_id: row.id, slug: row.slug },
  });
}
