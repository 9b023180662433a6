/**
 * Organization rules. Whoever creates an organization becomes a member with the admin role
 * there: permissions are per organization (D2), so without it the creator could not manage
 * what they just made. Slug changes keep the old slug in previous_slugs.
 *
 * Organization is a blueprint type, so enabled Organization blueprints extend it on create
 * and patch like every other entity. The reference declares the type but never applies it
 * on write (reference-domain §6); we apply it, as the issue asks of every blueprint type.
 */
import { Type } from "@sinclair/typebox";
import type { Database } from "../../infra/postgres.ts";
import { ConflictError, NotFoundError } from "../../http/errors.ts";
import { DEFAULT_READ_ONLY } from "../../http/json-patch.ts";
import { pgCode, UNIQUE_VIOLATION, FOREIGN_KEY_VIOLATION } from "../../infra/pg-errors.ts";
import { newId } from "../../lib/ids.ts";
import { dataError, Name, nullable, patchDocumentWithExtras, ruleError, Slug, text } from "../catalog/document.ts";
import { extrasOf } from "../catalog/org-resource-service.ts";
import { blueprintAttributes, mergeAttributes } from "../blueprints/service.ts";
import type { PatchOperations } from "../../http/json-patch.ts";
import { checkTagFormats, TagFormats } from "../project-types/spec.ts";
import { hasPermission, type Principal } from "../auth/principal.ts";
import {
  findOrganizationBySlug, listMembers, listOrganizations, organizationCounts, organizationDependents, type OrganizationRow,
} from "./repo.ts";

export const OrganizationDocument = Type.Object({
  name: Name,
  slug: Slug,
  description: nullable(text(100_000)),
  icon: nullable(text(2048)),
  tag_formats: TagFormats,
});

type Document = typeof OrganizationDocument.static;

const READ_ONLY = [...DEFAULT_READ_ONLY, "/previous_slugs"];

export function organizationService(sql: Database, prefix: string) {
  async function toJson(row: OrganizationRow) {
    const counts = await organizationCounts(sql, row.id);
    const base = `${prefix}/organizations/${row.slug}`;
    return {
      ...row.attributes,
      id: row.id, name: row.name, slug: row.slug, description: row.description, icon: row.icon,
      tag_formats: row.tag_formats, previous_slugs: row.previous_slugs,
      created_at: row.created_at.toISOString(), updated_at: row.updated_at?.toISOString() ?? null,
      relationships: {
        teams: { href: `${base}/teams`, count: counts.teams },
        members: { href: `${base}/members`, count: counts.members },
        projects: { href: `${base}/projects`, count: counts.projects },
      },
    };
  }

  async function load(slug: string): Promise<OrganizationRow> {
    const row = await findOrganizationBySlug(sql, slug);
    if (!row) throw new NotFoundError(`Organization with slug '${slug}' not found`);
    return row;
  }

  /** The blueprint attributes to store: declared ones validated (422 at the field), others dropped. */
  async function attributesOf(doc: Record<string, unknown>, stored?: Record<string, unknown>) {
    return extrasOf(mergeAttributes(await blueprintAttributes(sql, "Organization"), doc, stored), OrganizationDocument);
  }

  function checkFormats(doc: Document) {
    const problem = checkTagFormats(doc.tag_formats);
    if (problem) throw ruleError(problem);
  }

  /** Unique violations are slug clashes; unstorable values are 422. */
  function writeError(error: unknown, slug: string): unknown {
    if (pgCode(error) === UNIQUE_VIOLATION) return new ConflictError(`Organization with slug '${slug}' already exists`);
    return dataError(error) ?? error;
  }

  return {
    /** Admins see every organization; others those where they hold organization:read. */
    async list(principal: Principal) {
      const visible = principal.kind === "user" && principal.isAdmin ? null
        : [...principal.permissionsByOrg.keys()].filter((slug) => hasPermission(principal, "organization:read", slug));
      return Promise.all((await listOrganizations(sql, visible)).map(toJson));
    },

    get: async (slug: string) => toJson(await load(slug)),

    async create(body: Partial<Document> & { name: string; slug: string } & Record<string, unknown>, principal: Principal) {
      const doc: Document & Record<string, unknown> = { description: null, icon: null, tag_formats: [], ...body };
      checkFormats(doc);
      const attributes = await attributesOf(doc);
      const id = newId();
      try {
        await sql.begin(async (tx) => {
          await tx`insert into organizations (id, slug, name, description, icon, tag_formats, attributes)
                   values (${id}, ${doc.slug}, ${doc.name}, ${doc.description}, ${doc.icon}, ${tx.json(doc.tag_formats as never)},
                           ${tx.json(attributes as never)})`;
          const table = principal.kind === "user" ? "organization_memberships" : "service_account_memberships";
          const column = principal.kind === "user" ? "user_id" : "service_account_id";
          await tx`insert into ${tx(table)} (organization_id, ${tx(column)}, role_id) select ${id}, ${principal.id}, id from roles where slug = 'admin'`;
        });
      } catch (error) {
        throw writeError(error, doc.slug);
      }
      return toJson((await findOrganizationBySlug(sql, doc.slug))!);
    },

    async patch(slug: string, operations: PatchOperations) {
      const row = await load(slug);
      // Blueprint attributes are patched at the top level, next to the columns (which win a clash).
      const current = { ...row.attributes, name: row.name, slug: row.slug, description: row.description, icon: row.icon, tag_formats: row.tag_formats };
      const { values, extras } = patchDocumentWithExtras(current, operations, READ_ONLY, OrganizationDocument);
      const patched = values as Document;
      checkFormats(patched);
      const attributes = await attributesOf({ ...extrasOf(extras, OrganizationDocument), ...values }, row.attributes);
      // The slug being left joins previous_slugs; one being taken (back) leaves it.
      const previous = patched.slug === row.slug ? row.previous_slugs
        : [...row.previous_slugs.filter((s) => s !== row.slug && s !== patched.slug), row.slug];
      try {
        await sql`update organizations set name = ${patched.name}, slug = ${patched.slug}, description = ${patched.description},
          icon = ${patched.icon}, tag_formats = ${sql.json(patched.tag_formats as never)}, previous_slugs = ${previous},
          attributes = ${sql.json(attributes as never)}, updated_at = now()
          where id = ${row.id}`;
      } catch (error) {
        throw writeError(error, patched.slug);
      }
      return toJson((await findOrganizationBySlug(sql, patched.slug))!);
    },

    async remove(slug: string) {
      const row = await load(slug);
      const refuse = (list: [string, number][]) => new ConflictError(
        `Organization '${slug}' still has ${list.length ? list.map(([label, n]) => `${n} ${label}`).join(", ") : "dependent records"}; delete them first`,
      );
      const blocking = await organizationDependents(sql, row.id);
      if (blocking.length) throw refuse(blocking);
      try {
        await sql`delete from organizations where id = ${row.id}`;
      } catch (error) {
        if (pgCode(error) === FOREIGN_KEY_VIOLATION) throw refuse(await organizationDependents(sql, row.id));
        throw error;
      }
    },

    members: async (slug: string) => listMembers(sql, (await load(slug)).id),
  };
}
