/**
 * Organization rules. Whoever creates an organization becomes a member with the admin role
 * there: permissions are per organization (D2), so without it the creator could not manage
 * what they just made. Slug changes keep the old slug in previous_slugs.
 */
import { Value } from "@sinclair/typebox/value";
import { t } from "elysia";
import type { Database } from "../../infra/postgres.ts";
import { ConflictError, NotFoundError, UnprocessableError } from "../../http/errors.ts";
import { applyJsonPatch, DEFAULT_READ_ONLY } from "../../http/json-patch.ts";
import { pgCode, UNIQUE_VIOLATION, FOREIGN_KEY_VIOLATION } from "../../infra/pg-errors.ts";
import { newId } from "../../lib/ids.ts";
import { Slug } from "../catalog/org-resource-service.ts";
import { checkTagFormats, TagFormat } from "../project-types/spec.ts";
import type { Principal } from "../auth/principal.ts";
import {
  findOrganizationBySlug, listMembers, listOrganizations, organizationCounts, organizationDependents, type OrganizationRow,
} from "./repo.ts";

export const OrganizationDocument = t.Object({
  name: t.String({ minLength: 1, maxLength: 255 }),
  slug: Slug,
  description: t.Nullable(t.String({ maxLength: 100_000 })),
  icon: t.Nullable(t.String({ maxLength: 2048 })),
  tag_formats: t.Array(TagFormat, { maxItems: 100 }),
});

type Document = typeof OrganizationDocument.static;

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

  function checkFormats(doc: Document) {
    const problem = checkTagFormats(doc.tag_formats);
    if (problem) throw new UnprocessableError([{ type: "value_error", loc: ["body", ...problem.field.split("/")], msg: problem.msg }]);
  }

  const clash = (slug: string) => new ConflictError(`Organization with slug '${slug}' already exists`);

  return {
    /** Admins see every organization; others those where they hold organization:read. */
    async list(principal: Principal) {
      const visible = principal.kind === "user" && principal.isAdmin ? null
        : [...principal.permissionsByOrg].filter(([, perms]) => perms.has("organization:read")).map(([slug]) => slug);
      return Promise.all((await listOrganizations(sql, visible)).map(toJson));
    },

    get: async (slug: string) => toJson(await load(slug)),

    async create(body: Partial<Document> & { name: string; slug: string }, principal: Principal) {
      const doc: Document = { description: null, icon: null, tag_formats: [], ...body };
      checkFormats(doc);
      const id = newId();
      try {
        await sql.begin(async (tx) => {
          await tx`insert into organizations (id, slug, name, description, icon, tag_formats)
                   values (${id}, ${doc.slug}, ${doc.name}, ${doc.description}, ${doc.icon}, ${tx.json(doc.tag_formats as never)})`;
          const table = principal.kind === "user" ? "organization_memberships" : "service_account_memberships";
          const column = principal.kind === "user" ? "user_id" : "service_account_id";
          await tx`insert into ${tx(table)} (organization_id, ${tx(column)}, role_id) select ${id}, ${principal.id}, id from roles where slug = 'admin'`;
        });
      } catch (error) {
        if (pgCode(error) === UNIQUE_VIOLATION) throw clash(doc.slug);
        throw error;
      }
      return toJson((await findOrganizationBySlug(sql, doc.slug))!);
    },

    async patch(slug: string, operations: Parameters<typeof applyJsonPatch>[1]) {
      const row = await load(slug);
      const current: Document = { name: row.name, slug: row.slug, description: row.description, icon: row.icon, tag_formats: row.tag_formats as Document["tag_formats"] };
      const patched = applyJsonPatch(current, operations, [...DEFAULT_READ_ONLY, "/previous_slugs"]);
      const errors = [...Value.Errors(OrganizationDocument, patched)];
      if (errors.length) {
        throw new UnprocessableError(errors.map((e) => ({ type: "value_error", loc: ["body", ...e.path.split("/").filter(Boolean)], msg: e.message, input: e.value })));
      }
      checkFormats(patched);
      const previous = patched.slug !== row.slug ? [...row.previous_slugs.filter((s) => s !== row.slug), row.slug] : row.previous_slugs;
      try {
        await sql`update organizations set name = ${patched.name}, slug = ${patched.slug}, description = ${patched.description},
          icon = ${patched.icon}, tag_formats = ${sql.json(patched.tag_formats as never)}, previous_slugs = ${previous}, updated_at = now()
          where id = ${row.id}`;
      } catch (error) {
        if (pgCode(error) === UNIQUE_VIOLATION) throw clash(patched.slug);
        throw error;
      }
      return toJson((await findOrganizationBySlug(sql, patched.slug))!);
    },

    async remove(slug: string) {
      const row = await load(slug);
      const refuse = (list: [string, number][]) =>
        new ConflictError(`Organization '${slug}' still has ${list.map(([label, n]) => `${n} ${label}`).join(", ")}; delete them first`);
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

